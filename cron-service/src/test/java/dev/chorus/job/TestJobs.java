package dev.chorus.job;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

/** Jobs that exist only in the tests: one that takes a while, one that overruns its timeout, one that fails. */
final class TestJobs {

    private TestJobs() {}

    @ApplicationScoped
    static class Slow implements Job {
        private final Pool pool;

        Slow(Pool pool) {
            this.pool = pool;
        }

        @Override
        public String name() {
            return "test-slow";
        }

        @Override
        public String description() {
            return "Sleeps in the database for a second and a half.";
        }

        @Override
        public Uni<JobResult> run(JobContext context) {
            return pool.query("SELECT pg_sleep(1.5)").execute().map(rows -> JobResult.rows(0));
        }
    }

    @ApplicationScoped
    static class Overrun implements Job {
        private final Pool pool;

        Overrun(Pool pool) {
            this.pool = pool;
        }

        @Override
        public String name() {
            return "test-overrun";
        }

        @Override
        public String description() {
            return "Sleeps longer than its timeout.";
        }

        @Override
        public Uni<JobResult> run(JobContext context) {
            return pool.query("SELECT pg_sleep(3)").execute().map(rows -> JobResult.rows(0));
        }
    }

    @ApplicationScoped
    static class Failing implements Job {
        @Override
        public String name() {
            return "test-failing";
        }

        @Override
        public String description() {
            return "Always fails.";
        }

        @Override
        public Uni<JobResult> run(JobContext context) {
            return Uni.createFrom().failure(new IllegalStateException("this job always fails"));
        }
    }
}
