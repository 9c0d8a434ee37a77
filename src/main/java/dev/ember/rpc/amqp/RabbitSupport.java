package dev.ember.rpc.amqp;

import com.rabbitmq.client.AMQP;
import dev.ember.rpc.oslo.OsloCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.rabbitmq.RabbitMQClient;

import java.util.Map;
import java.util.function.Supplier;

/** Shared bits of the AMQP server and client. */
final class RabbitSupport {

    private RabbitSupport() {
    }

    /** A context of our own, so the client's ordered blocking tasks never queue behind a caller's. */
    static ContextInternal ownContext(Vertx vertx) {
        return ((VertxInternal) vertx).createEventLoopContext();
    }

    /** Runs a client operation on {@code ctx} (callable from any thread). */
    static <T> Future<T> on(ContextInternal ctx, Supplier<Future<T>> op) {
        Promise<T> p = ctx.promise();
        ctx.runOnContext(v -> {
            try {
                op.get().onComplete(p);
            } catch (RuntimeException e) {
                p.tryFail(e);
            }
        });
        return p.future();
    }

    /** The properties kombu gives every oslo message (captures: persistent, JSON, UTF-8, priority 0). */
    static AMQP.BasicProperties properties(Long expirationMs) {
        AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder()
                .contentType(OsloCodec.CONTENT_TYPE)
                .contentEncoding(OsloCodec.CONTENT_ENCODING)
                .deliveryMode(2)
                .priority(0)
                .headers(Map.of());
        if (expirationMs != null) {
            b.expiration(Long.toString(expirationMs));
        }
        return b.build();
    }

    /** The client's current channel number, to tell whether a delivery tag still belongs to the open channel. */
    static long channelInstance(RabbitMQClient client) {
        if (client instanceof io.vertx.rabbitmq.impl.RabbitMQClientImpl impl) {
            return impl.getChannelInstance();
        }
        return -1;
    }
}
