package io.kaleidoscope.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb HTTP/1.1 client over a plain socket, for what {@link java.net.http.HttpClient}
 * refuses to send: broken request lines, header floods, lying Content-Length, bad chunking and
 * bytes dribbled slowly. It writes the given bytes (on a second thread, so a server that answers
 * and closes early is still heard), half-closes, and reads one response.
 */
final class RawHttp {
    private RawHttp() {}

    /** What came back: a response, the connection closed without one, or nothing before the timeout. */
    enum Kind { RESPONSE, CLOSED, TIMEOUT }

    record Outcome(Kind kind, int status, Map<String, String> headers, byte[] body, String detail) {
        static Outcome closed(String detail) {
            return new Outcome(Kind.CLOSED, 0, Map.of(), new byte[0], detail);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case RESPONSE -> status + " " + headers.getOrDefault("content-type", "") + " "
                        + HostileCases.abbreviate(bodyText(), 200);
                case CLOSED -> "closed without a response (" + detail + ")";
                case TIMEOUT -> "no response within the timeout (" + detail + ")";
            };
        }
    }

    /**
     * Sends {@code request} in pieces of {@code piece} bytes with {@code pauseMillis} between them
     * (all at once when piece ≤ 0), half-closes, and reads one response (skipping 1xx ones).
     */
    static Outcome exchange(int port, byte[] request, int piece, long pauseMillis, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    if (piece <= 0) {
                        out.write(request);
                    } else {
                        for (int i = 0; i < request.length; i += piece) {
                            out.write(request, i, Math.min(piece, request.length - i));
                            out.flush();
                            if (pauseMillis > 0) {
                                Thread.sleep(pauseMillis);
                            }
                        }
                    }
                    out.flush();
                    socket.shutdownOutput();
                } catch (IOException | InterruptedException e) {
                    // The server may answer and close before it has read everything; the reader decides.
                }
            });
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            try {
                InputStream in = socket.getInputStream();
                return read(in);
            } catch (SocketTimeoutException e) {
                return new Outcome(Kind.TIMEOUT, 0, Map.of(), new byte[0], timeoutMillis + " ms");
            } catch (IOException e) {
                return Outcome.closed(e.getClass().getSimpleName() + ": " + e.getMessage());
            } finally {
                writer.interrupt();
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                try {
                    socket.close();
                    writer.join(Math.min(left, 1000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } catch (IOException e) {
            return Outcome.closed("connect: " + e.getMessage());
        }
    }

    private static Outcome read(InputStream in) throws IOException {
        while (true) {
            String statusLine = line(in);
            if (statusLine == null) {
                return Outcome.closed("EOF before a status line");
            }
            if (statusLine.isEmpty()) {
                continue;
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                return new Outcome(Kind.RESPONSE, -1, Map.of(), statusLine.getBytes(StandardCharsets.ISO_8859_1), "bad status line");
            }
            int status = Integer.parseInt(parts[1].trim());
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(),
                            (a, b) -> a + ", " + b);
                }
            }
            if (status >= 100 && status < 200) {
                continue;   // 100 Continue: the real answer follows
            }
            byte[] body;
            String length = headers.get("content-length");
            if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
                body = chunked(in);
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length.trim()));
            } else if (status == 204 || status == 304) {
                body = new byte[0];
            } else {
                body = in.readAllBytes();
            }
            return new Outcome(Kind.RESPONSE, status, headers, body, "");
        }
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                return body.toByteArray();
            }
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                for (String trailer; (trailer = line(in)) != null && !trailer.isEmpty(); ) {
                    // trailers ignored
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            line(in);
        }
    }

    /** One CRLF- (or LF-) terminated line as ISO-8859-1, or null at EOF before any byte. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > 1 << 20) {
                throw new IOException("response line over 1 MiB");
            }
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** A request: the request line, the headers (each "Name: value"), an empty line, the body. */
    static byte[] request(String requestLine, List<String> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((requestLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String h : headers) {
            out.writeBytes((h + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** A well-formed POST with Host and Content-Length. */
    static byte[] post(String path, String contentType, byte[] body, List<String> extraHeaders) {
        List<String> headers = new ArrayList<>(List.of("Host: localhost", "Content-Type: " + contentType,
                "Content-Length: " + body.length));
        headers.addAll(extraHeaders);
        return request("POST " + path + " HTTP/1.1", headers, body);
    }
}
