package dev.chorus.message;

import static dev.chorus.message.StoredChats.await;
import static dev.chorus.message.StoredChats.join;
import static dev.chorus.message.StoredChats.lastMessageSeq;
import static dev.chorus.message.StoredChats.newChatId;
import static dev.chorus.message.StoredChats.newUserId;
import static dev.chorus.message.StoredChats.storedSeqs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.chat.Permissions;
import dev.chorus.testing.PostgresTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Sends arriving together share transactions; each must still be answered as if it had been stored alone. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class GroupCommitTest {

    @Inject
    MessageLog log;

    @Inject
    MeterRegistry registry;

    @Inject
    Pool pool;

    @Test
    void aBurstOfSendsToSeveralChatsLeavesEachChatOneUnbrokenSequence() throws Exception {
        UUID sender = newUserId();
        List<UUID> chats = List.of(newChatId(sender), newChatId(sender), newChatId(sender));
        ExecutorService appender = Executors.newSingleThreadExecutor();
        Future<?> singleAppends = appender.submit(() -> {
            for (int i = 0; i < 50; i++) {
                await(() -> Panache.withTransaction(() ->
                        log.append(NewMessage.system(chats.getFirst(), "test.event", "between the sends", null))));
            }
        });
        List<Uni<SendResult>> burst = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            UUID chatId = chats.get(i % chats.size());
            burst.add(log.send(NewMessage.fromUser(chatId, sender, "message " + i, null, "burst-" + i)));
        }

        double retriesBefore = retries();

        List<SendResult> results = await(() -> Uni.join().all(burst).andFailFast());
        singleAppends.get();
        appender.shutdown();

        assertThat(results).allMatch(SendResult::created);
        assertThat(registry.get("chorus.messages.per.commit").summary().max())
                .as("messages shared a transaction")
                .isGreaterThan(1);
        assertThat(retries()).as("no shared transaction failed").isEqualTo(retriesBefore);
        Map<UUID, Long> storedSeqOfId =
                storedMessages(chats).stream().collect(Collectors.toMap(message -> message.id, message -> message.seq));
        assertThat(results)
                .as("every answer carries the sequence number its message was stored under")
                .allMatch(result -> storedSeqOfId.get(result.message().id())
                        == result.message().seq());
        for (UUID chatId : chats) {
            long expected = chatId.equals(chats.getFirst()) ? 200 + 50 : 200;
            assertThat(storedSeqs(chatId))
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, expected).boxed().toList());
            assertThat(lastMessageSeq(chatId)).isEqualTo(expected);
        }
    }

    @Test
    void sendsQueuedInOrderAreNumberedInThatOrder() {
        UUID sender = newUserId();
        UUID chatId = newChatId(sender);
        List<Uni<SendResult>> inOrder = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            inOrder.add(log.send(NewMessage.fromUser(chatId, sender, "in order " + i, null, null)));
        }

        List<SendResult> results = await(() -> Uni.join().all(inOrder).andFailFast());

        assertThat(results.stream().map(result -> result.message().seq()).toList())
                .isSorted()
                .doesNotHaveDuplicates()
                .hasSize(500);
    }

    @Test
    void retriesOfOneClientMessageIdArrivingTogetherStoreOneMessage() {
        UUID sender = newUserId();
        UUID chatId = newChatId(sender);
        List<Uni<SendResult>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(log.send(NewMessage.fromUser(chatId, sender, "once", null, "retried")));
            burst.add(log.send(NewMessage.fromUser(chatId, sender, "other " + i, null, null)));
        }

        List<SendResult> results = await(() -> Uni.join().all(burst).andFailFast());

        List<SendResult> retries = results.stream()
                .filter(result -> "retried".equals(result.message().clientMessageId()))
                .toList();
        assertThat(retries).hasSize(20);
        assertThat(retries).filteredOn(SendResult::created).hasSize(1);
        assertThat(retries.stream().map(result -> result.message().id()).distinct())
                .hasSize(1);
        assertThat(storedSeqs(chatId))
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 21).boxed().toList());
    }

    @Test
    void eachSendOfABurstGetsItsOwnAnswer() {
        UUID sender = newUserId();
        UUID chatId = newChatId(sender);
        UUID otherChatId = newChatId(sender);
        UUID stranger = newUserId();
        UUID muted = newUserId();
        join(chatId, muted, new Permissions(false, false, false, false));
        SendResult earlier = await(() -> log.send(NewMessage.fromUser(chatId, sender, "earlier", null, "sent-before")));
        SendResult elsewhere = await(() -> log.send(NewMessage.fromUser(otherChatId, sender, "elsewhere", null, null)));
        Function<NewMessage, Uni<Object>> outcome = message ->
                log.send(message).map(result -> (Object) result).onFailure().recoverWithItem(failure -> failure);

        double retriesBefore = retries();

        List<Object> outcomes = await(() -> Uni.join()
                .all(
                        outcome.apply(NewMessage.fromUser(UUID.randomUUID(), sender, "no such chat", null, null)),
                        outcome.apply(NewMessage.fromUser(
                                chatId,
                                sender,
                                "reply elsewhere",
                                elsewhere.message().id(),
                                null)),
                        outcome.apply(NewMessage.fromUser(chatId, sender, "again", null, "sent-before")),
                        outcome.apply(NewMessage.fromUser(
                                chatId, sender, "a reply", earlier.message().id(), null)),
                        outcome.apply(NewMessage.fromUser(chatId, stranger, "let me in", null, null)),
                        outcome.apply(NewMessage.fromUser(chatId, muted, "may I?", null, null)))
                .andFailFast());

        assertThat(outcomes.get(0)).isInstanceOf(UnknownChatException.class);
        assertThat(outcomes.get(1)).isInstanceOf(InvalidReplyException.class);
        assertThat(outcomes.get(2)).isEqualTo(new SendResult(earlier.message(), false));
        SendResult reply = (SendResult) outcomes.get(3);
        assertThat(reply.created()).isTrue();
        assertThat(reply.message().replyToId()).isEqualTo(earlier.message().id());
        assertThat(reply.message().seq()).isEqualTo(2);
        assertThat(outcomes.get(4))
                .isInstanceOfSatisfying(SendRefusedException.class, refused -> assertThat(refused.reason())
                        .isEqualTo(SendRefusedException.Reason.NOT_A_MEMBER));
        assertThat(outcomes.get(5))
                .isInstanceOfSatisfying(SendRefusedException.class, refused -> assertThat(refused.reason())
                        .isEqualTo(SendRefusedException.Reason.NOT_ALLOWED));
        assertThat(lastMessageSeq(chatId)).isEqualTo(2);
        assertThat(retries())
                .as("refusals are answered inside the shared transaction")
                .isEqualTo(retriesBefore);
    }

    @Test
    void resentMessagesAreLookedUpByIndexWhateverTheTableStatisticsSay() {
        UUID[] senders = new UUID[200];
        String[] clientMessageIds = new String[200];
        for (int i = 0; i < senders.length; i++) {
            senders[i] = UUID.randomUUID();
            clientMessageIds[i] = "resent-" + i;
        }

        List<String> plan = await(() -> pool.preparedQuery("EXPLAIN " + GroupCommit.FIND_SENT)
                .execute(Tuple.tuple().addArrayOfUUID(senders).addArrayOfString(clientMessageIds))
                .map(rows -> StreamSupport.stream(rows.spliterator(), false)
                        .map(row -> row.getString(0))
                        .toList()));

        assertThat(String.join("\n", plan))
                .contains("Index Scan using messages_sender_client_message_id_key")
                .doesNotContain("Seq Scan on messages");
    }

    private double retries() {
        return registry.get("chorus.messages.group.commit.retries").counter().count();
    }

    private static List<Message> storedMessages(List<UUID> chatIds) {
        return await(() -> Panache.withSession(
                () -> Message.<Message>find("chatId in ?1", chatIds).list()));
    }
}
