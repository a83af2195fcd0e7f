// Java baseline for the archive benches: record and replay throughput of Aeron's Java AeronArchive
// client (aeron-all jar) against the same embedded archive the Rust benches use: a separate
// `java io.aeron.archive.ArchivingMediaDriver benches/java/archive.properties` process on /dev/shm.
//
// Method (identical to benches/archive.rs): 32-byte messages, N per run, over aeron:ipc.
//   record: startRecording(aeron:ipc, stream, LOCAL), offer N messages on an exclusive
//           publication, stop the clock when the archive's recording position reaches the
//           publication's position.
//   replay: startReplay(recording of N messages, from 0, whole length, aeron:ipc) and poll a
//           subscription (session-id of the replay) until all N messages arrived.
// WARMUP unmeasured runs, then RUNS measured runs; the median is reported.
//
// Usage: java -cp <aeron-all.jar>:<classes> ArchiveBench <archive.properties> <result.json> [N] [RUNS]

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.archive.status.RecordingPos;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

public final class ArchiveBench
{
    static final int MSG_LEN = 32;
    static final int FRAGMENT_LIMIT = 256;
    static final int WARMUP = 2;
    static final String IPC = "aeron:ipc";

    static long received;

    public static void main(final String[] args) throws Exception
    {
        final String props = args[0];
        final String out = args[1];
        final int n = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        final int runs = args.length > 3 ? Integer.parseInt(args[3]) : 9;

        final Path shm = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        final Path dir = shm.resolve("rusteron-bench-java-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        final String aeronDir = dir.resolve("aeron").toString();
        final int port;
        try (DatagramSocket s = new DatagramSocket(0))
        {
            port = s.getLocalPort();
        }
        final String control = "aeron:udp?endpoint=localhost:" + port;

        final String jar = System.getProperty("java.class.path").split(File.pathSeparator)[0];
        final ProcessBuilder pb = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            // JVM options as rusteron_archive::testing::EmbeddedArchiveMediaDriverProcess uses them.
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-Xms128m", "-Xmx512m",
            "-cp", jar,
            "-Daeron.dir=" + aeronDir,
            "-Daeron.archive.dir=" + dir.resolve("archive"),
            "-Daeron.archive.control.channel=" + control,
            "-Daeron.archive.id=" + (port + 7),
            "io.aeron.archive.ArchivingMediaDriver", props);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        final Process archiveProcess = pb.start();
        try
        {
            final Aeron.Context actx = new Aeron.Context().aeronDirectoryName(aeronDir).driverTimeoutMs(10_000);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Aeron aeron = null;
            AeronArchive archive = null;
            while (archive == null)
            {
                try
                {
                    if (aeron == null)
                    {
                        aeron = Aeron.connect(actx.clone());
                    }
                    archive = AeronArchive.connect(new AeronArchive.Context()
                        .aeron(aeron)
                        .controlRequestChannel(control)
                        .controlResponseChannel("aeron:udp?endpoint=localhost:0"));
                }
                catch (final Exception e)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }

            final List<Double> recordRates = new ArrayList<>();
            final List<Double> replayRates = new ArrayList<>();
            long firstRecording = -1;
            int stream = 5001;
            for (int i = 0; i < WARMUP + runs; i++)
            {
                final long[] rec = record(aeron, archive, stream++, n);
                if (firstRecording < 0)
                {
                    firstRecording = rec[0];
                }
                final double recordRate = n * 1e9 / rec[1];
                final double replayRate = n * 1e9 / replay(aeron, archive, firstRecording, 6001 + i, n);
                if (i >= WARMUP)
                {
                    recordRates.add(recordRate);
                    replayRates.add(replayRate);
                }
                System.out.printf("java run %d%s: record %.0f msg/s, replay %.0f msg/s%n",
                    i, i < WARMUP ? " (warm-up)" : "", recordRate, replayRate);
                if (rec[0] != firstRecording)
                {
                    archive.purgeRecording(rec[0]);
                }
            }
            final double rec = median(recordRates);
            final double rep = median(replayRates);
            System.out.printf("java median of %d runs (%d x %d-byte messages): record %.0f msg/s (%.1f MB/s), replay %.0f msg/s (%.1f MB/s)%n",
                runs, n, MSG_LEN, rec, rec * MSG_LEN / 1e6, rep, rep * MSG_LEN / 1e6);
            final String json = String.format(
                "{\"client\":\"java\",\"msg_len\":%d,\"messages\":%d,\"runs\":%d,\"record_msgs_per_s\":%.0f,\"replay_msgs_per_s\":%.0f," +
                "\"record_runs\":%s,\"replay_runs\":%s}%n",
                MSG_LEN, n, runs, rec, rep, list(recordRates), list(replayRates));
            Files.createDirectories(Path.of(out).getParent());
            Files.writeString(Path.of(out), json);
            System.out.println("wrote " + out);
            archive.close();
            aeron.close();
        }
        finally
        {
            archiveProcess.destroy();
            archiveProcess.waitFor(10, TimeUnit.SECONDS);
            archiveProcess.destroyForcibly();
            deleteTree(dir.toFile());
        }
    }

    /** Records n messages on a new stream; returns {recordingId, nanos}. */
    static long[] record(final Aeron aeron, final AeronArchive archive, final int stream, final int n)
    {
        final long subscriptionId = archive.startRecording(IPC, stream, SourceLocation.LOCAL);
        try (ExclusivePublication pub = aeron.addExclusivePublication(IPC, stream))
        {
            final CountersReader counters = aeron.countersReader();
            int counterId;
            while ((counterId = RecordingPos.findCounterIdBySession(counters, pub.sessionId(), archive.archiveId())) ==
                CountersReader.NULL_COUNTER_ID)
            {
                Thread.yield();
            }
            final long recordingId = RecordingPos.getRecordingId(counters, counterId);
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[MSG_LEN]);
            final long start = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                msg.putInt(0, i);
                while (pub.offer(msg, 0, MSG_LEN) < 0)
                {
                    Thread.yield();
                }
            }
            final long end = pub.position();
            while (counters.getCounterValue(counterId) < end)
            {
                Thread.yield();
            }
            final long nanos = System.nanoTime() - start;
            archive.stopRecording(subscriptionId);
            return new long[] {recordingId, nanos};
        }
    }

    /** Replays the first n messages of a recording over IPC; returns nanos. */
    static long replay(final Aeron aeron, final AeronArchive archive, final long recordingId, final int stream, final int n)
    {
        received = 0;
        final FragmentHandler handler = (buffer, offset, length, header) -> received++;
        final long start = System.nanoTime();
        final long sessionId = archive.startReplay(recordingId, 0, AeronArchive.NULL_LENGTH, IPC, stream);
        try (Subscription sub = aeron.addSubscription(ChannelUri.addSessionId(IPC, (int)sessionId), stream))
        {
            while (received < n)
            {
                if (sub.poll(handler, FRAGMENT_LIMIT) == 0)
                {
                    Thread.yield();
                }
            }
            final long nanos = System.nanoTime() - start;
            try
            {
                archive.stopReplay(sessionId);
            }
            catch (final Exception ignore)
            {
                // the replay already ended after its last message
            }
            return nanos;
        }
    }

    static double median(final List<Double> xs)
    {
        final double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static String list(final List<Double> xs)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < xs.size(); i++)
        {
            sb.append(i > 0 ? "," : "").append(String.format("%.0f", xs.get(i)));
        }
        return sb.append(']').toString();
    }

    static void deleteTree(final File f)
    {
        final File[] children = f.listFiles();
        if (children != null)
        {
            for (final File c : children)
            {
                deleteTree(c);
            }
        }
        f.delete();
    }
}
