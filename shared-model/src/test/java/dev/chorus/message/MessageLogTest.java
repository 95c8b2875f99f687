package dev.chorus.message;

import static dev.chorus.message.StoredChats.await;
import static dev.chorus.message.StoredChats.lastMessageSeq;
import static dev.chorus.message.StoredChats.newChatId;
import static dev.chorus.message.StoredChats.newUserId;
import static dev.chorus.message.StoredChats.storedSeqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.database.DatabaseErrors;
import dev.chorus.testing.PostgresTestResource;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class MessageLogTest {

    private static final int WRITERS = 8;
    private static final int MESSAGES_PER_WRITER = 250;

    @Inject
    MessageLog log;

    @Test
    void concurrentWritersToOneChatGetExactlyTheSequenceOneToN() throws Exception {
        UUID sender = newUserId();
        UUID chatId = newChatId();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(WRITERS);
        List<Future<List<Long>>> writers = new ArrayList<>();
        for (int writer = 0; writer < WRITERS; writer++) {
            int id = writer;
            Callable<List<Long>> sendAll = () -> {
                start.await();
                List<Long> seqs = new ArrayList<>();
                for (int i = 0; i < MESSAGES_PER_WRITER; i++) {
                    NewMessage message = NewMessage.fromUser(chatId, sender, id + ":" + i, null, id + "-" + i);
                    seqs.add(await(() -> Panache.withTransaction(() -> log.append(message)))
                            .seq());
                }
                return seqs;
            };
            writers.add(executor.submit(sendAll));
        }
        start.countDown();
        List<Long> acknowledged = new ArrayList<>();
        for (Future<List<Long>> writer : writers) {
            List<Long> seqs = writer.get();
            assertThat(seqs).as("one writer's own messages are in its order").isSorted();
            acknowledged.addAll(seqs);
        }
        executor.shutdown();

        int total = WRITERS * MESSAGES_PER_WRITER;
        List<Long> oneToN = LongStream.rangeClosed(1, total).boxed().toList();
        assertThat(acknowledged).hasSize(total).containsExactlyInAnyOrderElementsOf(oneToN);
        assertThat(storedSeqs(chatId)).containsExactlyElementsOf(oneToN);
        assertThat(lastMessageSeq(chatId)).isEqualTo(total);
    }

    @Test
    void aRolledBackAppendLeavesNoGap() {
        UUID chatId = newChatId();
        assertThatThrownBy(() -> await(() -> Panache.withTransaction(() -> log.append(systemMessage(chatId))
                        .chain(() -> Uni.createFrom().failure(new IllegalStateException("writer failed"))))))
                .hasMessage("writer failed");

        long seq = await(() -> Panache.withTransaction(() -> log.append(systemMessage(chatId))))
                .seq();

        assertThat(seq).isEqualTo(1);
        assertThat(storedSeqs(chatId)).containsExactly(1L);
    }

    @Test
    void aSystemEventIsStoredWithItsStructuredPayload() {
        UUID chatId = newChatId();
        AppendedMessage appended = await(() -> Panache.withTransaction(() -> log.append(systemMessage(chatId))));

        Message stored = await(() -> Panache.withSession(() -> Message.<Message>findById(appended.id())));

        assertThat(stored.role).isEqualTo(MessageRole.SYSTEM);
        assertThat(stored.senderId).isNull();
        assertThat(stored.event).isEqualTo("test.event");
        assertThat(stored.payload).containsEntry("n", 1);
        assertThat(stored.createdAt).isEqualTo(appended.createdAt());
    }

    @Test
    void appendingToAChatThatDoesNotExistFails() {
        UUID missing = UUID.randomUUID();

        assertThatThrownBy(() -> await(() -> Panache.withTransaction(() -> log.append(systemMessage(missing)))))
                .isInstanceOf(UnknownChatException.class);
    }

    @Test
    void aSenderCannotUseOneClientMessageIdTwice() {
        UUID sender = newUserId();
        UUID chatId = newChatId();
        AppendedMessage first = await(() -> Panache.withTransaction(
                () -> log.append(NewMessage.fromUser(chatId, sender, "hello", null, "client-1"))));

        assertThatThrownBy(() -> await(() -> Panache.withTransaction(
                        () -> log.append(NewMessage.fromUser(chatId, sender, "hello again", null, "client-1")))))
                .satisfies(failure -> assertThat(
                                DatabaseErrors.isUniqueViolation(failure, MessageLog.CLIENT_MESSAGE_ID_CONSTRAINT))
                        .isTrue());

        Message found = await(() -> Panache.withSession(() -> log.findByClientMessageId(sender, "client-1")));
        assertThat(found.id).isEqualTo(first.id());
        assertThat(found.seq).isEqualTo(1);
        assertThat(lastMessageSeq(chatId))
                .as("the refused duplicate left no gap")
                .isEqualTo(1);
    }

    private static NewMessage systemMessage(UUID chatId) {
        return NewMessage.system(chatId, "test.event", "something happened", "{\"n\": 1}");
    }
}
