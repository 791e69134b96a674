package org.agentaudit.searchengine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * What the engine launchers (Elasticsearch, OpenSearch 2 and 3) share: the node settings, the home
 * layout, running until SIGTERM with a graceful close, and exiting when the test process that started
 * the node is gone.
 * Compiled into each launcher (see build-helper in their pom.xml) since the engines cannot share
 * one classpath.
 */
public final class LauncherSupport {
    private LauncherSupport() {}

    /** Creates the folders a node expects under its home and returns the absolute home. */
    public static Path prepareHome(String dir) throws Exception {
        Path home = Path.of(dir).toAbsolutePath();
        for (String sub : List.of("config", "data", "logs", "modules", "plugins")) {
            Files.createDirectories(home.resolve(sub));
        }
        return home;
    }

    /**
     * The settings of a single test node serving HTTP on 127.0.0.1:httpPort with its data under home;
     * the same keys for every engine, which each loads into its own Settings.
     */
    public static Map<String, String> nodeSettings(String httpPort, Path home) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cluster.name", "agentaudit-test");
        settings.put("node.name", "agentaudit-test-node");
        settings.put("path.home", home.toString());
        settings.put("path.data", home.resolve("data").toString());
        settings.put("path.logs", home.resolve("logs").toString());
        settings.put("network.host", "127.0.0.1");
        settings.put("http.port", httpPort);
        settings.put("transport.port", "0");
        settings.put("discovery.type", "single-node");
        // Test machines may have little free disk; a watermark must not block writes.
        settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        return settings;
    }

    /** How long a graceful close may take before the JVM halts anyway. */
    private static final long CLOSE_TIMEOUT_MILLIS = 20_000;

    /**
     * Runs the started node until the JVM is asked to stop, then closes it. A close that hangs
     * (its data directory already removed by the test's cleanup, say) must not keep the JVM alive,
     * so the JVM halts once CLOSE_TIMEOUT_MILLIS have passed.
     */
    public static void runUntilStopped(AutoCloseable node, String port) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Thread deadline = new Thread(() -> {
                try {
                    Thread.sleep(CLOSE_TIMEOUT_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                Runtime.getRuntime().halt(1);
            }, "close-deadline");
            deadline.setDaemon(true);
            deadline.start();
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        exitWhenParentDies();
        System.out.println("embedded search engine started on 127.0.0.1:" + port);
        stopped.await();
    }

    /**
     * A test binary that dies without cleanup (panic, timeout, kill) must not leave a 1 GB JVM
     * behind, so the node exits once the process named by SEARCHENGINE_PARENT_PID is gone.
     */
    private static void exitWhenParentDies() {
        String parent = System.getenv("SEARCHENGINE_PARENT_PID");
        if (parent == null || parent.isBlank()) {
            return;
        }
        long parentPid = Long.parseLong(parent.trim());
        Thread watchdog = new Thread(() -> {
            while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.exit(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
