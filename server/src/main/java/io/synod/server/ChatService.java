package io.synod.server;

import io.synod.core.ChatCommand;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.HistoryResult;
import io.synod.core.Result;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import io.synod.protocol.Request;
import io.synod.protocol.Requests;
import io.synod.protocol.Services;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request frame into one reply frame and the publications to send, with no socket in
 * sight: decode and validate ({@link Requests#parse}), merge the Lamport clock, apply writes to the
 * {@link ChatStateMachine} (a single server numbers commands itself: index = applied + 1), answer
 * reads from the applied state, and stamp the reply with the synchronised time and a Lamport tick.
 *
 * <p>Bad input of any kind (not MessagePack, invalid UTF-8, frame over the limit, unknown service,
 * missing or mistyped field, empty or oversized name) gets an {@code erro} reply that says what is
 * wrong; nothing is stored. A request whose service cannot be read is answered with service
 * {@code erro}.
 *
 * <p>Lamport events per request: receive ({@code observe}), then for a write one local event whose
 * value becomes the command's (and its publications') {@code clock}, then the reply's send tick.
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop.
 */
final class ChatService {
    private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);

    /** One handled request: the reply frame and the publications to send after it is applied. */
    record Handled(byte[] reply, List<Publication> publications) {}

    private final ChatStateMachine machine;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final ServerMetrics metrics;
    private final Limits limits;

    ChatService(ChatStateMachine machine, ProcessClock clock, InteractionLog log, ServerMetrics metrics,
            Limits limits) {
        this.machine = machine;
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
        this.limits = limits;
    }

    /** Handles one request body received from {@code peer} (a routing identity, for the log). */
    Handled handle(byte[] body, String peer) {
        Envelope request;
        try {
            request = Envelope.decode(body, limits);
        } catch (ProtocolException e) {
            long observed = clock.observe(0);
            log.received(Services.ERROR, peer, observed, clock.nowSeconds(), Map.of("bytes", body.length));
            metrics.request(Services.ERROR);
            return reply(Replies.error(Services.ERROR, e.getMessage()), List.of(), peer);
        }
        Object sentClock = request.data().get("clock");
        long observed = clock.observe(sentClock instanceof Long l && l >= 0 ? l : 0);
        log.received(request.service(), peer, observed, clock.nowSeconds(), request.data());
        metrics.request(request.service());
        try {
            Request parsed = Requests.parse(request, limits);
            return dispatch(parsed, peer);
        } catch (ProtocolException e) {
            return reply(Replies.error(request.service(), e.getMessage()), List.of(), peer);
        }
    }

    /** An {@code erro} reply for a message that is not one request frame (e.g. several body frames). */
    Handled reject(String text, String peer) {
        long observed = clock.observe(0);
        log.received(Services.ERROR, peer, observed, clock.nowSeconds(), Map.of("error", text));
        metrics.request(Services.ERROR);
        return reply(Replies.error(Services.ERROR, text), List.of(), peer);
    }

    private Handled dispatch(Request request, String peer) {
        return switch (request) {
            case Request.Login r -> write(r, new ChatCommand.Login(r.user()), peer);
            case Request.CreateChannel r -> write(r, new ChatCommand.CreateChannel(r.channel()), peer);
            case Request.Publish r -> write(r, new ChatCommand.Publish(r.user(), r.channel(), r.message()), peer);
            case Request.SendMessage r -> write(r, new ChatCommand.SendMessage(r.src(), r.dst(), r.message()), peer);
            case Request.Users r -> reply(Replies.users(machine.users()), List.of(), peer);
            case Request.Channels r -> reply(Replies.channels(machine.channels()), List.of(), peer);
            case Request.History r -> reply(history(r.service(), machine.channelHistory(r.channel(), r.afterSeq(),
                    r.limit())), List.of(), peer);
            case Request.PrivateHistory r -> reply(history(r.service(), machine.privateHistory(r.user(), r.peer(),
                    r.afterSeq(), r.limit())), List.of(), peer);
            case Request.ClockRequest r -> reply(Replies.clock(clock.nowSeconds()), List.of(), peer);
            case Request.ElectionRequest r -> reply(Replies.election(), List.of(), peer);
            case Request.Rank r -> notHere(r, peer);
            case Request.ListServers r -> notHere(r, peer);
            case Request.Heartbeat r -> notHere(r, peer);
        };
    }

    private Handled write(Request request, ChatCommand operation, String peer) {
        long commandClock = clock.lamport().tick();
        Command command = new Command(machine.appliedIndex() + 1, clock.nowSeconds(), commandClock,
                request.meta().clientId(), request.meta().requestId(), operation);
        long started = System.nanoTime();
        Result result = machine.apply(command);
        metrics.applied(System.nanoTime() - started);
        Envelope reply = result.isOk()
                ? Replies.success(request.service())
                : Replies.error(request.service(), result.errorText());
        return reply(reply, result.publications(), peer);
    }

    private static Envelope history(String service, HistoryResult result) {
        return switch (result) {
            case HistoryResult.Page page -> Replies.history(service, page.messages(), page.nextSeq(), page.more());
            case HistoryResult.Rejected rejected -> Replies.error(service, rejected.errorText());
        };
    }

    private Handled notHere(Request request, String peer) {
        return reply(Replies.error(request.service(), "service '" + request.service()
                + "' is answered by the reference, not by a chat server"), List.of(), peer);
    }

    private Handled reply(Envelope reply, List<Publication> publications, String peer) {
        if (Replies.ERRO.equals(reply.data().get("status"))) {
            metrics.error(reply.service());
            LOG.debug("erro to {}: {}", peer, reply.data().get("description"));
        }
        double now = clock.nowSeconds();
        Envelope stamped = reply.stamped(now, clock.tickForSend());
        log.sent(stamped.service(), peer, (Long) stamped.data().get("clock"), now, stamped.data());
        return new Handled(stamped.encode(), publications);
    }
}
