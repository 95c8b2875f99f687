package dev.chorus.ai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.message.AppendedMessage;
import dev.chorus.message.MessageLog;
import dev.chorus.message.NewMessage;
import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs answers. Pieces from the provider are gathered for {@code chorus.ai.delta-interval} and published as one
 * delta signal at a time, in order, so a fast model costs a few notifications per second rather than one per
 * token. The finished answer is stored as one assistant message in the same transaction that marks the
 * invocation succeeded, and only if it is still running: a cancel from any replica, a failure or a timeout
 * leaves no message behind, and the chat hears how it ended.
 */
@ApplicationScoped
public class AnswerStreams {

    private static final Logger LOG = Logger.getLogger(AnswerStreams.class);

    /** A delta notification stays well under PostgreSQL's 8000-byte NOTIFY payload. */
    private static final int MAX_DELTA_CHARS = 2000;

    private static final Duration CANCEL_CHECK = Duration.ofMillis(300);

    private static final String MARK_STREAMING =
            "UPDATE ai_invocations SET status = 'streaming', first_token_at = now() WHERE id = $1 AND status = 'pending'";
    private static final String STATUS = "SELECT status FROM ai_invocations WHERE id = $1";
    private static final String END = """
            UPDATE ai_invocations SET status = $2, finished_at = now(), error_code = $3, error_message = $4
            WHERE id = $1 AND status IN ('pending', 'streaming')""";

    private final Vertx vertx;
    private final Pool pool;
    private final AiProvider provider;
    private final AiConfig config;
    private final ConversationContext conversation;
    private final MessageLog log;
    private final ChatSignals signals;
    private final ObjectMapper json;
    private final MeterRegistry metrics;

    public AnswerStreams(
            Vertx vertx,
            Pool pool,
            AiProvider provider,
            AiConfig config,
            ConversationContext conversation,
            MessageLog log,
            ChatSignals signals,
            ObjectMapper json,
            MeterRegistry metrics) {
        this.vertx = vertx;
        this.pool = pool;
        this.provider = provider;
        this.config = config;
        this.conversation = conversation;
        this.log = log;
        this.signals = signals;
        this.json = json;
        this.metrics = metrics;
    }

    void start(AiInvocation invocation) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        // Hibernate Reactive needs a context of its own, marked safe, for the transaction that stores the answer.
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> new Answer(invocation.id, invocation.chatId, context).begin());
    }

    /** One answer; all its state is touched only on its own context. */
    private final class Answer {
        private final UUID id;
        private final UUID chatId;
        private final Context context;
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder unsent = new StringBuilder();
        private final long startedNanos = System.nanoTime();
        private Cancellable upstream;
        private AiChunk.Finished usage;
        private long nextIndex;
        private boolean publishing;
        private boolean ended;
        private Runnable whenSent;
        private long flushTimer = -1;
        private long cancelTimer = -1;
        private long timeoutTimer = -1;

        Answer(UUID id, UUID chatId, Context context) {
            this.id = id;
            this.chatId = chatId;
            this.context = context;
        }

        void begin() {
            timeoutTimer = vertx.setTimer(
                    config.timeout().toMillis(),
                    ignored -> end(
                            AiInvocationStatus.TIMED_OUT,
                            "timeout",
                            "No complete answer within " + config.timeout() + "."));
            cancelTimer = vertx.setPeriodic(CANCEL_CHECK.toMillis(), ignored -> checkCancelled());
            flushTimer = vertx.setPeriodic(config.deltaInterval().toMillis(), ignored -> flush());
            conversation
                    .recent(chatId)
                    .subscribe()
                    .with(
                            turns -> onContext(() -> {
                                if (ended) {
                                    return;
                                }
                                upstream = provider.stream(new AiProvider.AiRequest(
                                                config.model(), config.systemPrompt(), turns, config.maxOutputTokens()))
                                        .subscribe()
                                        .with(
                                                chunk -> onContext(() -> received(chunk)),
                                                failure -> onContext(() -> failed(failure)),
                                                () -> onContext(this::completed));
                            }),
                            failure -> onContext(() -> failed(failure)));
        }

        private void received(AiChunk chunk) {
            if (ended) {
                return;
            }
            switch (chunk) {
                case AiChunk.Text piece -> {
                    if (text.isEmpty()) {
                        metrics.timer("chorus.ai.first.token")
                                .record(Duration.ofNanos(System.nanoTime() - startedNanos));
                        pool.preparedQuery(MARK_STREAMING)
                                .execute(Tuple.of(id))
                                .subscribe()
                                .with(ok -> {}, f -> {});
                    }
                    text.append(piece.text());
                    unsent.append(piece.text());
                    if (unsent.length() >= MAX_DELTA_CHARS) {
                        flush();
                    }
                }
                case AiChunk.Finished finished -> usage = finished;
            }
        }

        /** Publishes what is unsent as the next delta, one at a time so they arrive in order. */
        private void flush() {
            if (publishing || unsent.isEmpty()) {
                if (!publishing && whenSent != null) {
                    Runnable next = whenSent;
                    whenSent = null;
                    next.run();
                }
                return;
            }
            publishing = true;
            int length = Math.min(unsent.length(), MAX_DELTA_CHARS);
            String piece = unsent.substring(0, length);
            unsent.delete(0, length);
            signals.publish(ChatSignal.aiDelta(chatId, id, nextIndex++, piece))
                    .subscribe()
                    .with(
                            ok -> onContext(this::published),
                            failure -> onContext(() -> {
                                LOG.debugf("A delta of %s was not published: %s", id, failure.getMessage());
                                published();
                            }));
        }

        private void published() {
            publishing = false;
            flush();
        }

        private void completed() {
            if (ended) {
                return;
            }
            if (text.isEmpty()) {
                end(AiInvocationStatus.FAILED, "empty_answer", "The model returned no text.");
                return;
            }
            ended = true;
            stopTimers();
            whenSent = this::store;
            flush();
        }

        /** Stores the answer and marks the invocation succeeded, together, unless it was cancelled meanwhile. */
        private void store() {
            int inputTokens = usage == null ? 0 : usage.inputTokens();
            int outputTokens = usage == null ? 0 : usage.outputTokens();
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("invocationId", id.toString());
            payload.put("model", config.model());
            payload.put("provider", provider.name());
            payload.put("inputTokens", inputTokens);
            payload.put("outputTokens", outputTokens);
            if (usage != null && usage.stopReason() != null) {
                payload.put("stopReason", usage.stopReason());
            }
            String payloadJson;
            try {
                payloadJson = json.writeValueAsString(payload);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            Panache.withTransaction(() -> AiInvocation.update(
                                    "status = ?1, finishedAt = ?2, inputTokens = ?3, outputTokens = ?4"
                                            + " where id = ?5 and status in ?6",
                                    AiInvocationStatus.SUCCEEDED,
                                    Instant.now(),
                                    inputTokens,
                                    outputTokens,
                                    id,
                                    AiService.RUNNING)
                            .chain(updated -> updated == 0
                                    ? Uni.createFrom().<AppendedMessage>nullItem()
                                    : log.append(NewMessage.fromAssistant(chatId, text.toString(), payloadJson))
                                            .call(appended -> AiInvocation.update(
                                                    "responseMessageId = ?1 where id = ?2", appended.id(), id))))
                    .subscribe()
                    .with(
                            appended -> {
                                if (appended != null) {
                                    record("succeeded");
                                    metrics.counter("chorus.ai.tokens", "direction", "input")
                                            .increment(inputTokens);
                                    metrics.counter("chorus.ai.tokens", "direction", "output")
                                            .increment(outputTokens);
                                    signals.publish(ChatSignal.aiEnd(chatId, id, "succeeded"))
                                            .subscribe()
                                            .with(ok -> signals.wake(chatId), failure -> signals.wake(chatId));
                                }
                            },
                            failure -> onContext(() -> {
                                LOG.errorf(failure, "Storing the answer %s failed", id);
                                ended = false;
                                end(AiInvocationStatus.FAILED, "store_failed", "The answer could not be stored.");
                            }));
        }

        private void failed(Throwable failure) {
            if (failure instanceof AiProviderException provider) {
                LOG.warnf("The assistant's provider failed (%s): %s", provider.code(), provider.getMessage());
                end(AiInvocationStatus.FAILED, provider.code(), provider.getMessage());
            } else {
                LOG.errorf(failure, "Answer %s failed", id);
                end(AiInvocationStatus.FAILED, "internal_error", "The answer failed.");
            }
        }

        /** Ends without storing anything; the chat hears how it ended, unless a cancel got there first. */
        private void end(AiInvocationStatus status, String code, String message) {
            if (ended) {
                return;
            }
            ended = true;
            stopTimers();
            if (upstream != null) {
                upstream.cancel();
            }
            String statusName = status.name().toLowerCase(Locale.ROOT);
            pool.preparedQuery(END)
                    .execute(Tuple.of(id, statusName, code, message))
                    .subscribe()
                    .with(
                            rows -> {
                                if (rows.rowCount() > 0) {
                                    record(statusName);
                                    signals.publishLater(ChatSignal.aiEnd(chatId, id, statusName));
                                }
                            },
                            failure -> LOG.errorf(failure, "Could not record the end of answer %s", id));
        }

        /** Another replica may have cancelled: then stop quietly, since the canceller told the chat. */
        private void checkCancelled() {
            pool.preparedQuery(STATUS)
                    .execute(Tuple.of(id))
                    .subscribe()
                    .with(
                            rows -> onContext(() -> {
                                String status = rows.iterator().hasNext()
                                        ? rows.iterator().next().getString(0)
                                        : "cancelled";
                                if (!ended && !status.equals("pending") && !status.equals("streaming")) {
                                    ended = true;
                                    stopTimers();
                                    if (upstream != null) {
                                        upstream.cancel();
                                    }
                                    record(status);
                                }
                            }),
                            failure -> {});
        }

        private void record(String status) {
            metrics.timer("chorus.ai.answer.duration", "status", status)
                    .record(Duration.ofNanos(System.nanoTime() - startedNanos));
        }

        private void stopTimers() {
            vertx.cancelTimer(flushTimer);
            vertx.cancelTimer(cancelTimer);
            vertx.cancelTimer(timeoutTimer);
        }

        private void onContext(Runnable action) {
            context.runOnContext(ignored -> action.run());
        }
    }
}
