package dev.chorus.ratelimit;

import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request came from, for per-address limits. Behind proxies it is in {@code X-Forwarded-For}, where
 * each proxy appends the address it saw; what the client itself wrote comes first and proves nothing. So the
 * address is the entry {@code forwardedHops} from the right: the one the outermost trusted proxy appended.
 */
final class ClientAddress {

    private ClientAddress() {}

    /**
     * @param forwardedHops how many proxies in front of the service append to {@code X-Forwarded-For} (nginx: 1;
     *     Google's external load balancer: 2, the client's address and its own); 0 when clients connect directly
     */
    static String of(HttpServerRequest request, int forwardedHops) {
        List<String> forwarded = new ArrayList<>();
        for (String header : request.headers().getAll("X-Forwarded-For")) {
            for (String entry : header.split(",")) {
                if (!entry.isBlank()) {
                    forwarded.add(entry.strip());
                }
            }
        }
        // Fewer entries than trusted proxies: the request did not come through them, and the header is the client's.
        if (forwardedHops > 0 && forwarded.size() >= forwardedHops) {
            return forwarded.get(forwarded.size() - forwardedHops);
        }
        return request.remoteAddress() != null ? request.remoteAddress().hostAddress() : "unknown";
    }
}
