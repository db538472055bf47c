package io.kaleidoscope.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Every answer's body goes out here, so that a HEAD request gets what HTTP promises (RFC 9110
 * §9.3.2): the GET answer's status and headers, its Content-Length included, and no content.
 * Helidon 4.5 writes whatever a handler sends, HEAD or not; a keep-alive client (a load
 * balancer's probe, Java's HttpClient) then reads the stray body as the start of its next answer.
 */
final class ResponseBodies {
    private ResponseBodies() {}

    static void send(ServerRequest req, ServerResponse res, byte[] body) {
        if (req.prologue().method() == Method.HEAD) {
            // An explicit Content-Length with an empty send: Helidon keeps the header as given.
            res.header(HeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
            res.send();
        } else {
            res.send(body);
        }
    }
}
