package org.agentaudit.searchengine;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node, bound to 127.0.0.1 only, for tests.
 * Usage: EmbeddedOpenSearch HTTP_PORT HOME_DIR (data in HOME_DIR/data, kept across restarts).
 */
public final class EmbeddedOpenSearch {
    /** Node's constructor that takes classpath plugins is protected. */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedOpenSearch HTTP_PORT HOME_DIR");
            System.exit(2);
        }
        Path home = LauncherSupport.prepareHome(args[1]);
        Settings settings = Settings.builder().loadFromMap(LauncherSupport.nodeSettings(args[0], home)).build();
        LogConfigurator.registerErrorListener();
        LogConfigurator.configureWithoutConfig(settings);
        Node node = new ClasspathNode(
            new Environment(settings, home.resolve("config")), List.of(Netty4Plugin.class, CommonAnalysisPlugin.class));
        node.start();
        LauncherSupport.runUntilStopped(node, args[0]);
    }
}
