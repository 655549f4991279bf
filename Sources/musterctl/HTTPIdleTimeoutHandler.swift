import NIOCore

/// Turns the idle event of an `IdleStateHandler` in front of it into an error and closes the
/// connection, so that a gateway that stops answering ends the command instead of hanging it.
final class HTTPIdleTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    struct TimedOut: Error {
        var after: TimeAmount
    }

    private let timeout: TimeAmount

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        context.fireErrorCaught(TimedOut(after: timeout))
        context.close(promise: nil)
    }
}
