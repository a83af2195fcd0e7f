// The Java client of the archive bench (benches/archive.rs): Aeron's Java AeronArchive client
// (aeron-all jar) against the archive the bench started, driven by the bench over stdin/stdout
// exactly like the bench's Rust and raw C clients, one run at a time, alternating with them.
//
// Method (identical to benches/archive.rs): 32-byte messages, N per run, over aeron:ipc.
//   record: startRecording(aeron:ipc, stream, LOCAL), offer N messages on an exclusive
//           publication (yield on back pressure), stop the clock when the archive's recording
//           position reaches the publication's position.
//   replay: startReplay(recording, from 0, whole length, aeron:ipc) and poll a subscription
//           (session-id of the replay, limit 256, yield when empty) until all N messages arrived;
//           the clock includes the replay request and the subscription.
//
// Protocol (one line each way): after connecting, "hello <pid>". Commands: "record <stream> <n>",
// "replay <recordingId> <stream> <n>", "purge <recordingId>", "quit". Around its clock a run says
// "ready" and waits for "go", then says "done <nanos> <value> <wait nanos>" (recording id, or
// messages received; the CPU its thread spent in yield loops waiting for the archive) and waits
// for "finish"; every command ends with "ok". The bench samples /proc between.
//
// Usage: java -cp <aeron-all.jar>:<classes> ArchiveBench <aeron.dir> <control request> <control response>

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

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

public final class ArchiveBench
{
    static final int MSG_LEN = 32;
    static final int FRAGMENT_LIMIT = 256;
    static final String IPC = "aeron:ipc";

    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static long received;
    static BufferedReader in;
    /** CPU this thread spent in its yield loops, waiting for the archive (as benches/archive.rs's Waits). */
    static long waitNs;

    public static void main(final String[] args) throws Exception
    {
        final String aeronDir = args[0];
        final String request = args[1];
        final String response = args[2];
        in = new BufferedReader(new InputStreamReader(System.in));

        final Aeron.Context actx = new Aeron.Context().aeronDirectoryName(aeronDir).driverTimeoutMs(20_000);
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
                    .controlRequestChannel(request)
                    .controlResponseChannel(response)
                    .messageTimeoutNs(TimeUnit.SECONDS.toNanos(10)));
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

        say("hello " + ProcessHandle.current().pid());
        String line;
        while ((line = in.readLine()) != null)
        {
            final String[] f = line.trim().split("\\s+");
            if (f[0].equals("record"))
            {
                record(aeron, archive, Integer.parseInt(f[1]), Integer.parseInt(f[2]));
            }
            else if (f[0].equals("replay"))
            {
                replay(aeron, archive, Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]));
            }
            else if (f[0].equals("purge"))
            {
                archive.purgeRecording(Long.parseLong(f[1]));
            }
            else if (f[0].equals("quit") || f[0].isEmpty())
            {
                break;
            }
            else
            {
                throw new IllegalArgumentException("unknown command " + line);
            }
            say("ok");
        }
        archive.close();
        aeron.close();
    }

    static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }

    static void expect(final String word) throws Exception
    {
        final String line = in.readLine();
        if (!word.equals(line))
        {
            throw new IllegalStateException("expected " + word + " from the bench, got " + line);
        }
    }

    /** Before the clock starts. */
    static void start() throws Exception
    {
        say("ready");
        expect("go");
    }

    /** After the clock stopped. */
    static void stop(final long nanos, final long value) throws Exception
    {
        say("done " + nanos + " " + value + " " + waitNs);
        expect("finish");
    }

    static void record(final Aeron aeron, final AeronArchive archive, final int stream, final int n) throws Exception
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
            waitNs = 0;
            start();
            final long start = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                msg.putInt(0, i);
                if (pub.offer(msg, 0, MSG_LEN) < 0)
                {
                    // Waiting: from the first refusal until just before the offer that succeeds.
                    final long t0 = THREADS.getCurrentThreadCpuTime();
                    while (true)
                    {
                        Thread.yield();
                        final long t1 = THREADS.getCurrentThreadCpuTime();
                        if (pub.offer(msg, 0, MSG_LEN) >= 0)
                        {
                            waitNs += t1 - t0;
                            break;
                        }
                    }
                }
            }
            final long end = pub.position();
            final long t0 = THREADS.getCurrentThreadCpuTime();
            while (counters.getCounterValue(counterId) < end)
            {
                Thread.yield();
            }
            waitNs += THREADS.getCurrentThreadCpuTime() - t0;
            stop(System.nanoTime() - start, recordingId);
            archive.stopRecording(subscriptionId);
        }
    }

    static void replay(final Aeron aeron, final AeronArchive archive, final long recordingId, final int stream, final int n)
        throws Exception
    {
        received = 0;
        waitNs = 0;
        final FragmentHandler handler = (buffer, offset, length, header) -> received++;
        start();
        final long start = System.nanoTime();
        final long sessionId = archive.startReplay(recordingId, 0, AeronArchive.NULL_LENGTH, IPC, stream);
        try (Subscription sub = aeron.addSubscription(ChannelUri.addSessionId(IPC, (int)sessionId), stream))
        {
            while (received < n)
            {
                if (sub.poll(handler, FRAGMENT_LIMIT) == 0)
                {
                    // Waiting: from the first empty poll until just before the poll that reads.
                    final long t0 = THREADS.getCurrentThreadCpuTime();
                    while (true)
                    {
                        Thread.yield();
                        final long t1 = THREADS.getCurrentThreadCpuTime();
                        if (sub.poll(handler, FRAGMENT_LIMIT) > 0)
                        {
                            waitNs += t1 - t0;
                            break;
                        }
                    }
                }
            }
            stop(System.nanoTime() - start, received);
            try
            {
                archive.stopReplay(sessionId);
            }
            catch (final Exception ignore)
            {
                // the replay already ended after its last message
            }
        }
    }
}
