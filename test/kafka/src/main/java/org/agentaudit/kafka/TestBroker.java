package org.agentaudit.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * Runs one KRaft node (broker and controller in one JVM) for tests: formats its storage on the
 * first start, runs kafka.Kafka on the given server.properties, exits when the test process that
 * started it is gone, and prints READY_LINE once a metadata request to the broker succeeds, which
 * is what start.sh waits for.
 *
 * <p>Usage: TestBroker SERVER_PROPERTIES
 */
public final class TestBroker {
    /** The line start.sh waits for; keep in step with start.sh. */
    static final String READY_LINE = "kafka test broker ready";

    /** Names the process whose end stops the broker (the Go test binary). */
    static final String PARENT_PID_ENV = "KAFKA_PARENT_PID";

    /** How long the broker's own shutdown may take once the parent is gone. */
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 20_000;

    private TestBroker() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TestBroker SERVER_PROPERTIES");
            System.exit(2);
        }
        Path config = Path.of(args[0]).toAbsolutePath();
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            props.load(in);
        }
        formatOnce(config, props);
        exitWhenParentDies();

        // kafka.Kafka.main blocks until the broker shuts down and then exits the JVM itself (with 1
        // when the start fails), so it runs beside the readiness check.
        Thread broker = new Thread(() -> kafka.Kafka.main(new String[] {config.toString()}), "kafka-main");
        broker.start();
        awaitMetadata(bootstrap(props));
        System.out.println(READY_LINE + " on " + bootstrap(props));
        System.out.flush();
        broker.join();
    }

    /**
     * Formats the log directories with a fresh cluster id unless an earlier start did. A node
     * whose storage is formatted already keeps its id and data across restarts.
     */
    private static void formatOnce(Path config, Properties props) {
        Path meta = Path.of(props.getProperty("log.dirs").split(",")[0], "meta.properties");
        if (Files.exists(meta)) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = kafka.tools.StorageTool.execute(
                new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        System.out.print(out.toString(StandardCharsets.UTF_8));
        if (code != 0) {
            System.err.println("kafka storage format failed with exit code " + code);
            System.exit(1);
        }
    }

    /** The broker's PLAINTEXT address, as clients are told to use it. */
    private static String bootstrap(Properties props) {
        String advertised = props.getProperty("advertised.listeners");
        return advertised.substring(advertised.indexOf("://") + 3);
    }

    /**
     * Waits until the broker's port accepts connections, then retries a DescribeCluster (a metadata
     * request) until the broker answers it with a node. Probing the port first keeps the admin
     * client from queueing (and logging) calls while nothing listens yet.
     */
    private static void awaitMetadata(String bootstrap) throws InterruptedException {
        int colon = bootstrap.lastIndexOf(':');
        InetSocketAddress address =
                new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)));
        while (!accepts(address)) {
            Thread.sleep(200);
        }
        Map<String, Object> conf = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException notYet) {
                    // The broker is still starting; kafka-main exits the JVM if it fails.
                }
                Thread.sleep(200);
            }
        }
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /**
     * A test binary that dies without cleanup (panic, timeout, kill) must not leave a broker JVM
     * behind, so the broker exits (through Kafka's own shutdown hook) once the process named by
     * KAFKA_PARENT_PID is gone.
     */
    private static void exitWhenParentDies() {
        String parent = System.getenv(PARENT_PID_ENV);
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
            haltAfter(SHUTDOWN_TIMEOUT_MILLIS);
            System.exit(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** A shutdown that hangs (its log dirs already gone, say) must not keep the JVM alive. */
    private static void haltAfter(long millis) {
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(1);
        }, "shutdown-deadline");
        deadline.setDaemon(true);
        deadline.start();
    }
}
