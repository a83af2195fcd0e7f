// The Java side of rusteron-cluster's tests: one cluster member (ClusteredMediaDriver +
// ClusteredServiceContainer running the counting echo service below), the authenticator, and a
// Java AeronCluster client used by the interop test and the benchmark. Compiled with javac against
// the aeron-all jar by rusteron_cluster::testing (into target/, never committed as a jar).
//
// Usage:
//   java -cp aeron-all.jar:<classes> RusteronClusterFixture node      (settings in -D properties below)
//   java -cp aeron-all.jar:<classes> RusteronClusterFixture client <endpoints> <count> <size> [tag]
//   java -cp aeron-all.jar:<classes> RusteronClusterFixture bench <endpoints> <aeron-dir> <warmup> <count> <size> <messages> <window>
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.aeron.samples.cluster.ClusterConfig;
import io.aeron.security.Authenticator;
import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.AuthorisationService;
import io.aeron.security.AuthorisationServiceSupplier;
import io.aeron.security.SessionProxy;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class RusteronClusterFixture
{
    /** A session message equal to this asks the service for its state (not counted). */
    static final byte[] QUERY = "rusteron-cluster-query:v1".getBytes(StandardCharsets.US_ASCII);
    /** The answer starts with this, followed by count (i64 LE) and checksum (i64 LE). */
    static final byte[] ANSWER = "rusteron-cluster-state:v1".getBytes(StandardCharsets.US_ASCII);
    static final long FNV_OFFSET = 0xcbf29ce484222325L;
    static final long FNV_PRIME = 0x100000001b3L;

    /** FNV-1a 64 over the message length (4 bytes LE) then its bytes, continuing from h. */
    static long fold(long h, final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < 4; i++)
        {
            h ^= (length >>> (8 * i)) & 0xff;
            h *= FNV_PRIME;
        }
        for (int i = 0; i < length; i++)
        {
            h ^= buffer.getByte(offset + i) & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    static boolean equalsBytes(final DirectBuffer buffer, final int offset, final int length, final byte[] bytes)
    {
        if (length != bytes.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    /** Echoes every message, counts it and folds it into a running checksum; answers QUERY. */
    public static final class CountingEchoService implements ClusteredService
    {
        private Cluster cluster;
        private long count;
        private long checksum = FNV_OFFSET;
        private final UnsafeBuffer answer = new UnsafeBuffer(new byte[ANSWER.length + 16]);

        public void onStart(final Cluster cluster, final Image snapshotImage)
        {
            this.cluster = cluster;
            if (null != snapshotImage)
            {
                final boolean[] done = { false };
                while (!done[0])
                {
                    final int fragments = snapshotImage.poll(
                        (buffer, offset, length, header) ->
                        {
                            count = buffer.getLong(offset, java.nio.ByteOrder.LITTLE_ENDIAN);
                            checksum = buffer.getLong(offset + 8, java.nio.ByteOrder.LITTLE_ENDIAN);
                            done[0] = true;
                        },
                        1);
                    if (snapshotImage.isEndOfStream() && !done[0])
                    {
                        throw new IllegalStateException("snapshot ended without state");
                    }
                    cluster.idleStrategy().idle(fragments);
                }
            }
        }

        public void onSessionOpen(final ClientSession session, final long timestamp)
        {
        }

        public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
        {
        }

        public void onSessionMessage(
            final ClientSession session,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            if (equalsBytes(buffer, offset, length, QUERY))
            {
                answer.putBytes(0, ANSWER);
                answer.putLong(ANSWER.length, count, java.nio.ByteOrder.LITTLE_ENDIAN);
                answer.putLong(ANSWER.length + 8, checksum, java.nio.ByteOrder.LITTLE_ENDIAN);
                reply(session, answer, 0, answer.capacity());
                return;
            }
            count++;
            checksum = fold(checksum, buffer, offset, length);
            reply(session, buffer, offset, length);
        }

        private void reply(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
        {
            // Retry back pressure for a bounded time only: a client that went away must not
            // stall the log.
            final long deadline = System.nanoTime() + 2_000_000_000L;
            while (true)
            {
                final long result = session.offer(buffer, offset, length);
                if (result > 0 || result == io.aeron.Publication.NOT_CONNECTED ||
                    result == io.aeron.Publication.CLOSED || result == io.aeron.Publication.MAX_POSITION_EXCEEDED ||
                    System.nanoTime() > deadline)
                {
                    return;
                }
                cluster.idleStrategy().idle();
            }
        }

        public void onTimerEvent(final long correlationId, final long timestamp)
        {
        }

        public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
        {
            final UnsafeBuffer state = new UnsafeBuffer(new byte[16]);
            state.putLong(0, count, java.nio.ByteOrder.LITTLE_ENDIAN);
            state.putLong(8, checksum, java.nio.ByteOrder.LITTLE_ENDIAN);
            while (snapshotPublication.offer(state, 0, 16) < 0)
            {
                cluster.idleStrategy().idle();
            }
        }

        public void onRoleChange(final Cluster.Role newRole)
        {
            System.out.println("role " + newRole);
        }

        public void onTerminate(final Cluster cluster)
        {
        }
    }

    /**
     * Empty credentials connect at once (the tests' ordinary sessions). The credential
     * "rusteron:user" is challenged with "rusteron:challenge" and accepted when the answer is
     * "rusteron:answer". Anything else is rejected.
     */
    public static final class FixtureAuthenticator implements Authenticator
    {
        static final byte[] USER = "rusteron:user".getBytes(StandardCharsets.US_ASCII);
        static final byte[] CHALLENGE = "rusteron:challenge".getBytes(StandardCharsets.US_ASCII);
        static final byte[] ANSWER = "rusteron:answer".getBytes(StandardCharsets.US_ASCII);
        private final Map<Long, String> stateBySession = new HashMap<>();

        public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
        {
            if (encodedCredentials.length == 0)
            {
                stateBySession.put(sessionId, "anonymous");
            }
            else if (Arrays.equals(encodedCredentials, USER))
            {
                stateBySession.put(sessionId, "challenge");
            }
            else
            {
                stateBySession.put(sessionId, "reject");
            }
        }

        public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
        {
            stateBySession.put(sessionId, Arrays.equals(encodedCredentials, ANSWER) ? "accept" : "reject");
        }

        public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
        {
            final String state = stateBySession.get(sessionProxy.sessionId());
            if ("anonymous".equals(state))
            {
                if (sessionProxy.authenticate(null))
                {
                    stateBySession.remove(sessionProxy.sessionId());
                }
            }
            else if ("challenge".equals(state))
            {
                if (sessionProxy.challenge(CHALLENGE))
                {
                    stateBySession.put(sessionProxy.sessionId(), "challenged");
                }
            }
            else if ("reject".equals(state))
            {
                sessionProxy.reject();
                stateBySession.remove(sessionProxy.sessionId());
            }
        }

        public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
        {
            final String state = stateBySession.get(sessionProxy.sessionId());
            if ("accept".equals(state))
            {
                if (sessionProxy.authenticate(USER))
                {
                    stateBySession.remove(sessionProxy.sessionId());
                }
            }
            else if ("reject".equals(state))
            {
                sessionProxy.reject();
                stateBySession.remove(sessionProxy.sessionId());
            }
        }
    }

    public static final class FixtureAuthenticatorSupplier implements AuthenticatorSupplier
    {
        public Authenticator get()
        {
            return new FixtureAuthenticator();
        }
    }

    /** Lets every session make admin requests (the snapshot request of the tests). */
    public static final class AllowAllSupplier implements AuthorisationServiceSupplier
    {
        public AuthorisationService get()
        {
            return AuthorisationService.ALLOW_ALL;
        }
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "client".equals(args[0]))
        {
            client(args);
            return;
        }
        if (args.length > 0 && "bench".equals(args[0]))
        {
            bench(args);
            return;
        }
        node();
    }

    /**
     * One member. Properties: rusteron.cluster.member.id, rusteron.cluster.members (count),
     * rusteron.cluster.port.base, rusteron.cluster.dir (parent of each member's directory),
     * rusteron.cluster.aeron.dir; any aeron.* property configures the contexts as usual.
     */
    static void node()
    {
        final int memberId = Integer.getInteger("rusteron.cluster.member.id");
        final int members = Integer.getInteger("rusteron.cluster.members", 3);
        final int portBase = Integer.getInteger("rusteron.cluster.port.base");
        final File parentDir = new File(System.getProperty("rusteron.cluster.dir"));
        final String aeronDir = System.getProperty("rusteron.cluster.aeron.dir");
        final String[] hosts = new String[members];
        Arrays.fill(hosts, "localhost");
        final List<String> hostnames = Arrays.asList(hosts);

        final ClusterConfig config = ClusterConfig.create(
            0, memberId, hostnames, hostnames, portBase, parentDir, new CountingEchoService());
        config.aeronDirectoryName(aeronDir);
        config.mediaDriverContext()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1000, 1_000_000))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        config.archiveContext()
            .threadingMode(io.aeron.archive.ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(() -> new BackoffIdleStrategy(10, 20, 1000, 1_000_000));
        config.consensusModuleContext()
            .ingressChannel("aeron:udp")
            .idleStrategySupplier(() -> new BackoffIdleStrategy(10, 20, 1000, 1_000_000));
        config.clusteredServiceContext()
            .idleStrategySupplier(() -> new BackoffIdleStrategy(10, 20, 1000, 1_000_000));
        config.errorHandler(t ->
        {
            System.out.println("[" + memberId + "] error: " + t);
        });

        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            ClusteredMediaDriver ignore = ClusteredMediaDriver.launch(
                config.mediaDriverContext().terminationHook(barrier::signalAll),
                config.archiveContext(),
                config.consensusModuleContext().terminationHook(barrier::signalAll));
            ClusteredServiceContainer ignore2 = ClusteredServiceContainer.launch(
                config.clusteredServiceContext().terminationHook(barrier::signalAll)))
        {
            System.out.println("[" + memberId + "] started");
            barrier.await();
            System.out.println("[" + memberId + "] exiting");
        }
    }

    /**
     * A Java AeronCluster client on an embedded Java media driver: sends count messages of size
     * bytes (the first 8 bytes: the tag and the index), waits for every echo, checks them in order
     * and prints "java-client sent=N echoed=N in-order=true".
     */
    static void client(final String[] args)
    {
        final String endpoints = args[1];
        final int count = Integer.parseInt(args[2]);
        final int size = Math.max(8, Integer.parseInt(args[3]));
        final int tag = args.length > 4 ? Integer.parseInt(args[4]) : 0x4a415641;
        final long[] next = { 0 };
        final boolean[] ordered = { true };
        final EgressListener listener = (sessionId, timestamp, buffer, offset, length, header) ->
        {
            if (length >= 8 && buffer.getInt(offset, java.nio.ByteOrder.LITTLE_ENDIAN) == tag)
            {
                final int index = buffer.getInt(offset + 4, java.nio.ByteOrder.LITTLE_ENDIAN);
                if (index != next[0])
                {
                    ordered[0] = false;
                }
                next[0]++;
            }
        };
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            AeronCluster cluster = AeronCluster.connect(new AeronCluster.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .ingressChannel("aeron:udp")
                .ingressEndpoints(endpoints)
                .egressChannel("aeron:udp?endpoint=localhost:0")
                .egressListener(listener)))
        {
            System.out.println("java-client connected session=" + cluster.clusterSessionId());
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[size]);
            final long deadline = System.nanoTime() + 120_000_000_000L;
            int sent = 0;
            while (next[0] < count && System.nanoTime() < deadline)
            {
                if (sent < count)
                {
                    msg.putInt(0, tag, java.nio.ByteOrder.LITTLE_ENDIAN);
                    msg.putInt(4, sent, java.nio.ByteOrder.LITTLE_ENDIAN);
                    if (cluster.offer(msg, 0, size) > 0)
                    {
                        sent++;
                    }
                }
                if (cluster.pollEgress() == 0 && sent == count)
                {
                    Thread.yield();
                }
            }
            System.out.println("java-client sent=" + sent + " echoed=" + next[0] + " in-order=" + ordered[0]);
        }
    }

    /**
     * The Java side of `just bench-cluster`: Aeron's Java AeronCluster client on the media driver
     * in aeron-dir (the same C driver the Rust client uses). Round trips of size-byte messages, one
     * at a time (warmup, then count measured), then messages sent with at most window unanswered.
     * Prints "bench-result client=java rtt_p50_ns=.. rtt_p99_ns=.. rtt_p999_ns=.. rtt_max_ns=..
     * throughput_msgs_per_s=..".
     */
    static void bench(final String[] args)
    {
        final String endpoints = args[1];
        final String aeronDir = args[2];
        final int warmup = Integer.parseInt(args[3]);
        final int count = Integer.parseInt(args[4]);
        final int size = Math.max(8, Integer.parseInt(args[5]));
        final int messages = Integer.parseInt(args[6]);
        final int window = Integer.parseInt(args[7]);
        final long[] echoed = { 0 };
        final EgressListener listener = (sessionId, timestamp, buffer, offset, length, header) -> echoed[0]++;
        try (AeronCluster cluster = AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(aeronDir)
            .ingressChannel("aeron:udp?term-length=1m")
            .ingressEndpoints(endpoints)
            .egressChannel("aeron:udp?endpoint=localhost:0")
            .egressListener(listener)))
        {
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[size]);
            final long[] rtt = new long[count];
            for (int i = 0; i < warmup + count; i++)
            {
                final long target = echoed[0] + 1;
                msg.putLong(0, i, java.nio.ByteOrder.LITTLE_ENDIAN);
                final long start = System.nanoTime();
                while (cluster.offer(msg, 0, size) < 0)
                {
                    cluster.pollEgress();
                }
                while (echoed[0] < target)
                {
                    cluster.pollEgress();
                }
                if (i >= warmup)
                {
                    rtt[i - warmup] = System.nanoTime() - start;
                }
            }
            Arrays.sort(rtt);
            final long base = echoed[0];
            long sent = 0;
            final long start = System.nanoTime();
            while (echoed[0] - base < messages)
            {
                if (sent < messages && sent - (echoed[0] - base) < window)
                {
                    msg.putLong(0, sent, java.nio.ByteOrder.LITTLE_ENDIAN);
                    if (cluster.offer(msg, 0, size) > 0)
                    {
                        sent++;
                    }
                }
                cluster.pollEgress();
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println("bench-result client=java rtt_p50_ns=" + rtt[(int)(count * 0.5)] +
                " rtt_p99_ns=" + rtt[(int)(count * 0.99)] + " rtt_p999_ns=" + rtt[(int)(count * 0.999)] +
                " rtt_max_ns=" + rtt[count - 1] + " throughput_msgs_per_s=" + (long)(messages / seconds));
        }
    }
}
