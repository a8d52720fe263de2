package io.keyferry.testing.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A Kvrocks write-ahead log made of the write batches a real Kvrocks logged for the writes of its recording
 * (kvrocks.jsonl, step "pollupdates"): it starts at the sequence the recorded INFO replication shows; when a client
 * sends one of those writes, its recorded batches are appended (their bytes as recorded; only the header's sequence
 * is this log's next one, as the script's other writes are not in it), and POLLUPDATES answers from the log
 * as Kvrocks does: the batches after the sequence asked for, the first one it still holds when older ones were
 * {@linkplain #recycle recycled}, "next sequence is out of range" past the latest. Writes the recording does not
 * have leave no record, so a test sends only recorded ones.
 */
public final class RecordedWal {
    /** A recorded write, its arguments as sent. */
    private final Map<List<String>, List<byte[]>> recorded = new HashMap<>();
    private final List<byte[]> log = new ArrayList<>();
    private final List<Long> firsts = new ArrayList<>();
    private long latest;
    private final long start;

    public RecordedWal() {
        try (InputStream in = RecordedWal.class.getResourceAsStream("/peers/kvrocks.jsonl")) {
            ObjectMapper json = new ObjectMapper();
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                JsonNode row = json.readTree(line);
                if (row.get("step").asText().equals("pollupdates")) {
                    read(row);
                } else if (latest == 0 && row.get("cmd").toString().equalsIgnoreCase("[\"INFO\",\"replication\"]")) {
                    latest = offset(row.get("reply").get("v").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start = latest;
    }

    private void read(JsonNode row) {
        JsonNode flat = row.get("reply").get("v");
        List<byte[]> batches = new ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String name = flat.get(i).get("v").asText();
            if (name.equals("updates")) {
                flat.get(i + 1).get("v").forEach(u -> batches.add(HexFormat.of().parseHex(u.get("v").asText())));
            }
        }
        if (row.has("write")) {
            List<String> write = new ArrayList<>();
            row.get("write").forEach(a -> write.add(a.asText()));
            recorded.put(write, batches);
        }
    }

    public synchronized long latest() {
        return latest;
    }

    /** The recorded INFO replication's master_repl_offset: where this log starts. */
    private static long offset(String info) {
        return info.lines().filter(l -> l.startsWith("master_repl_offset:")).mapToLong(l -> Long.parseLong(l.substring(19).strip()))
                .findFirst().orElseThrow();
    }

    /** Appends the batches recorded for this command, if it is a recorded write. */
    synchronized void applied(List<byte[]> cmd) {
        List<byte[]> batches = recorded.get(cmd.stream().map(Wire::text).toList());
        if (batches == null) {
            return;
        }
        for (byte[] b : batches) {
            byte[] copy = b.clone();
            long first = latest + 1;
            for (int i = 0; i < 8; i++) {
                copy[i] = (byte) (first >>> (8 * i));
            }
            long count = (copy[8] & 0xff) | (copy[9] & 0xff) << 8 | (copy[10] & 0xff) << 16 | (long) (copy[11] & 0xff) << 24;
            log.add(copy);
            firsts.add(first);
            latest = first + Math.max(count, 1) - 1;
        }
    }

    /** Drops every batch logged so far, as Kvrocks does when it recycles the log files that hold them. */
    public synchronized void recycle() {
        log.clear();
        firsts.clear();
    }

    /** Kvrocks restored from a backup taken before every write logged here: its log starts over where it started. */
    public synchronized void restoreBackup() {
        recycle();
        latest = start;
    }

    /** POLLUPDATES {@code sequence} MAX {@code max} as Kvrocks (unstable of 2024-10) answers it, RESP2. */
    synchronized Object poll(long sequence, int max) {
        if (sequence > latest) {
            return new Wire.Err("ERR next sequence is out of range");
        }
        List<Object> updates = new ArrayList<>();
        long next = sequence;
        for (int i = 0; i < log.size() && updates.size() < max; i++) {
            long last = i + 1 < firsts.size() ? firsts.get(i + 1) - 1 : latest;
            if (last > sequence) {
                updates.add(Wire.bytes(HexFormat.of().withUpperCase().formatHex(log.get(i))));
                next = last;
            }
        }
        if (updates.isEmpty() && log.isEmpty() && sequence < latest) {
            return new Wire.Err("ERR iterator is not valid");
        }
        return List.of(Wire.bytes("latest_sequence"), latest, Wire.bytes("updates"), updates, Wire.bytes("next_sequence"), next);
    }
}
