package dev.chorus.job.jobs;

import dev.chorus.job.CronConfig;
import dev.chorus.job.Job;
import dev.chorus.job.JobContext;
import dev.chorus.job.JobResult;
import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * An answer whose api-service replica died (a crash, an out-of-memory kill, a scale-in that outlived its grace)
 * stays "streaming" and keeps its chat busy. Past the longest time an answer may take, it is recorded as failed,
 * and the chat's subscribers get its end, so that their pages stop waiting.
 */
@ApplicationScoped
public class AbandonedAnswersJob implements Job {

    private static final String FAIL_ABANDONED = """
            UPDATE ai_invocations
               SET status = 'failed', finished_at = now(), error_code = 'abandoned',
                   error_message = 'The replica writing this answer stopped before it finished.'
             WHERE status IN ('pending', 'streaming') AND created_at < now() - make_interval(secs => $1)
            RETURNING id, chat_id""";

    private final Pool pool;
    private final CronConfig config;
    private final ChatSignals signals;

    public AbandonedAnswersJob(Pool pool, CronConfig config, ChatSignals signals) {
        this.pool = pool;
        this.config = config;
        this.signals = signals;
    }

    @Override
    public String name() {
        return "abandoned-answers";
    }

    @Override
    public String description() {
        return "Records assistant answers still running long after any answer may take as failed, freeing their chats.";
    }

    @Override
    public Uni<JobResult> run(JobContext context) {
        return pool.preparedQuery(FAIL_ABANDONED)
                .execute(Tuple.of(config.answersAbandonedAfter().toSeconds()))
                .chain(rows -> {
                    List<ChatSignal> ends = new ArrayList<>();
                    for (Row row : rows) {
                        ends.add(ChatSignal.aiEnd(row.getUUID("chat_id"), row.getUUID("id"), "failed"));
                    }
                    return Multi.createFrom()
                            .iterable(ends)
                            .onItem()
                            .transformToUniAndConcatenate(signals::publish)
                            .collect()
                            .last()
                            .replaceWith(JobResult.rows(rows.rowCount()));
                });
    }
}
