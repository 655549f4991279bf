#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

extension HTTPClient {
    /// The error to report for a failed exchange: connection-level failures (no connection,
    /// or one that broke) become `.unreachable` with a reason an operator understands;
    /// musterctl's own errors and failures of local files pass unchanged.
    static func describe(_ error: any Error, settings: ClientSettings) -> any Error {
        if error is MusterctlError { return error }
        if let reason = connectFailure(error) { return MusterctlError.unreachable(settings, reason) }
        if let reason = exchangeFailure(error) {
            return MusterctlError(
                .unreachable, "the connection to the Muster gateway at \(settings.server) broke: \(reason)",
                hint: "try again; if it keeps happening, look at the gateway's log"
            )
        }
        if let parserError = error as? HTTPParserError {
            return MusterctlError.failed(
                "the answer from \(settings.server) is not valid HTTP/1.1 (\(parserError))",
                hint: "is a Muster gateway listening there? Pass --server URL or set MUSTER_SERVER."
            )
        }
        return error
    }

    /// Why no connection could be opened, or nil if `error` is no such failure.
    private static func connectFailure(_ error: any Error) -> String? {
        switch error {
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "the host name '\(error.host)' could not be resolved"
            }
            let reasons = error.connectionErrors.map { "\(errorText($0.error)) (\($0.target.ipAddress ?? "\($0.target)"))" }
            return reasons.isEmpty ? "the connection failed" : reasons.joined(separator: "; ")
        case ChannelError.connectTimeout(let timeout):
            return "no connection within \(timeout.nanoseconds / 1_000_000_000) s"
        case let error as SocketAddressError:
            return "the address is not usable (\(error))"
        default:
            return nil
        }
    }

    /// Why an open connection failed before the exchange was complete, or nil.
    private static func exchangeFailure(_ error: any Error) -> String? {
        switch error {
        case let error as HTTPIdleTimeoutHandler.TimedOut:
            return "the gateway sent nothing for \(error.after.nanoseconds / 1_000_000_000) s"
        case HTTPParserError.invalidEOFState:
            return "it closed in the middle of the answer"
        case let error as ConnectionClosed:
            return error.duringBody ? "it closed in the middle of the answer" : "it closed before an answer came"
        case let error as IOError:
            return errorText(error)
        case ChannelError.eof, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.outputClosed:
            return "it closed before an answer came"
        default:
            return nil
        }
    }

    /// `Connection refused` rather than NIO's description of the failed system call.
    private static func errorText(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        return String(cString: strerror(error.errnoCode))
    }
}
