package gulp.decap;

import gulp.testing.Tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs tshark as the independent decoder and reads its PDML: layers with positions, fields with values. */
final class Tshark {
    record Layer(String name, int pos, int size) {}

    record Field(String show, int pos) {}

    record Packet(List<Layer> layers, Map<String, List<Field>> fields) {
        List<String> values(String name) {
            List<Field> f = fields.getOrDefault(name, List.of());
            List<String> out = new ArrayList<>(f.size());
            for (Field x : f) out.add(x.show());
            return out;
        }

        String first(String name) {
            List<Field> f = fields.get(name);
            return f == null || f.isEmpty() ? null : f.get(0).show();
        }

        int count(String layer) {
            int n = 0;
            for (Layer l : layers) if (l.name().equals(layer)) n++;
            return n;
        }
    }

    private static final Pattern ELEMENT = Pattern.compile("<(proto|field|packet)\\b([^>]*)>|</packet>");
    private static final Pattern ATTRIBUTE = Pattern.compile("(\\w[\\w.]*)=\"([^\"]*)\"");

    private Tshark() {}

    static boolean available() {
        return Tools.run("tshark", "-v").status() == 0;
    }

    static List<Packet> dissect(Path pcap) throws IOException {
        Tools.Output tshark = Tools.run("tshark", "-n", "-r", pcap.toString(), "-T", "pdml");
        if (tshark.status() != 0) throw new IOException("tshark failed on " + pcap + ": " + tshark.stderr());
        String pdml = tshark.stdout();
        List<Packet> packets = new ArrayList<>();
        List<Layer> layers = null;
        Map<String, List<Field>> fields = null;
        Matcher m = ELEMENT.matcher(pdml);
        while (m.find()) {
            if (m.group(1) == null) {
                packets.add(new Packet(layers, fields));
                continue;
            }
            Map<String, String> a = new HashMap<>();
            Matcher am = ATTRIBUTE.matcher(m.group(2));
            while (am.find()) a.put(am.group(1), am.group(2));
            switch (m.group(1)) {
                case "packet" -> { layers = new ArrayList<>(); fields = new HashMap<>(); }
                case "proto" -> layers.add(new Layer(a.get("name"), intOf(a.get("pos")), intOf(a.get("size"))));
                default -> {
                    String name = a.get("name");
                    if (name != null && !name.isEmpty()) {
                        fields.computeIfAbsent(name, k -> new ArrayList<>()).add(new Field(unescape(a.get("show")), intOf(a.get("pos"))));
                    }
                }
            }
        }
        return packets;
    }

    static byte[] colonHex(String show) {
        return HexFormat.ofDelimiter(":").parseHex(show);
    }

    private static int intOf(String s) { return s == null ? -1 : Integer.parseInt(s); }

    private static String unescape(String s) {
        if (s == null) return null;
        return s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#x27;", "'").replace("&amp;", "&");
    }
}
