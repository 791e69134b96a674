package org.elasticsearch.node;

import java.nio.file.Path;
import java.util.List;

import org.agentaudit.searchengine.LauncherSupport;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Runs one Elasticsearch node, bound to 127.0.0.1 only, for tests.
 * Usage: EmbeddedSearchEngine HTTP_PORT HOME_DIR. Data lives in HOME_DIR/data, so a node restarted
 * with the same HOME_DIR sees what the previous one stored. It sits in this package because the
 * node-construction hooks used to inject classpath plugins are package-private.
 */
public final class EmbeddedSearchEngine {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedSearchEngine HTTP_PORT HOME_DIR");
            System.exit(2);
        }
        Path home = LauncherSupport.prepareHome(args[1]);
        Settings settings = Settings.builder().loadFromMap(LauncherSupport.nodeSettings(args[0], home)).build();

        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(settings);

        Environment environment = new Environment(settings, home.resolve("config"));
        NodeServiceProvider classpathPlugins = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, Settings nodeSettings) {
                return new ClasspathPluginsService(nodeSettings, env, List.of(Netty4Plugin.class));
            }
        };
        Node node = new Node(NodeConstruction.prepareConstruction(environment, classpathPlugins, true));
        node.start();
        LauncherSupport.runUntilStopped(node, args[0]);
    }
}
