package dev.distillery.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.Node;

/**
 * Starts one single-node Elasticsearch bound to 127.0.0.1 and keeps it running until SIGTERM.
 *
 * <p>Usage: {@code EngineMain HOME STATE_DIR HTTP_PORT TRANSPORT_PORT}. HOME holds
 * modules/transport-netty4 (built by the pom, read-only here); everything the node writes (data,
 * logs, config) goes under STATE_DIR. The JVM's own pid is written to STATE_DIR/engine.pid so the
 * caller can stop the node itself even when it was started through {@code runuser}.
 */
public final class EngineMain {
  private EngineMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: EngineMain HOME STATE_DIR HTTP_PORT TRANSPORT_PORT");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    Path state = Path.of(args[1]).toAbsolutePath();
    Path config = Files.createDirectories(state.resolve("config"));
    Settings settings =
        Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", Files.createDirectories(state.resolve("data")).toString())
            .put("path.logs", Files.createDirectories(state.resolve("logs")).toString())
            .put("http.host", "127.0.0.1")
            .put("transport.host", "127.0.0.1")
            .put("http.port", args[2])
            .put("transport.port", args[3])
            .put("discovery.type", "single-node")
            .put("cluster.name", "distillery-local")
            .put("node.name", "distillery-local")
            // A test machine's disk is often above the 90% watermark; the node would then refuse to
            // allocate shards and never turn yellow.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
    LogConfigurator.configureESLogging();
    LogConfigurator.configureWithoutConfig(settings);
    Node node = new Node(new Environment(settings, config));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    node.close();
                    node.awaitClose(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                },
                "distillery-engine-shutdown"));
    node.start();
    Files.writeString(
        state.resolve("engine.pid"),
        Long.toString(ProcessHandle.current().pid()) + "\n",
        StandardCharsets.UTF_8);
    System.out.println("distillery-engine: started on http://127.0.0.1:" + args[2]);
    stopped.await();
  }
}
