package org.agentaudit.searchengine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * What both engine launchers (Elasticsearch, OpenSearch) share: the home layout, running until
 * SIGTERM with a graceful close, and exiting when the test process that started the node is gone.
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
