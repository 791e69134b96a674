package org.agentaudit.searchengine;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

import org.opensearch.Version;
import org.opensearch.analysis.common.CommonAnalysisModulePlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginInfo;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * Runs one OpenSearch 3 node, bound to 127.0.0.1 only, for tests (Java 21+).
 * Usage: EmbeddedOpenSearch3 HTTP_PORT HOME_DIR (data in HOME_DIR/data, kept across restarts).
 * OpenSearch 3 renamed the module plugins (Netty4ModulePlugin, CommonAnalysisModulePlugin) and its
 * Node takes classpath plugins as PluginInfo descriptors rather than classes, hence a launcher of
 * its own beside the 2.x one.
 */
public final class EmbeddedOpenSearch3 {
    /** Node's constructor that takes classpath plugins is protected. */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins.stream().map(EmbeddedOpenSearch3::classpathPluginInfo).toList(), true);
        }
    }

    /** Describes a plugin class on the classpath the way OpenSearch's own test MockNode does. */
    private static PluginInfo classpathPluginInfo(Class<? extends Plugin> plugin) {
        return new PluginInfo(
            plugin.getName(),
            "classpath plugin",
            "NA",
            Version.CURRENT,
            Integer.toString(Runtime.version().feature()),
            plugin.getName(),
            List.of(),
            false);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedOpenSearch3 HTTP_PORT HOME_DIR");
            System.exit(2);
        }
        Path home = LauncherSupport.prepareHome(args[1]);
        Settings settings = Settings.builder().loadFromMap(LauncherSupport.nodeSettings(args[0], home)).build();
        LogConfigurator.registerErrorListener();
        LogConfigurator.configureWithoutConfig(settings);
        Node node = new ClasspathNode(
            new Environment(settings, home.resolve("config")),
            List.of(Netty4ModulePlugin.class, CommonAnalysisModulePlugin.class));
        node.start();
        LauncherSupport.runUntilStopped(node, args[0]);
    }
}
