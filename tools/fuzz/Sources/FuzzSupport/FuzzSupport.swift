#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// libFuzzer's own `main` cannot be used (SwiftPM renames an executable's `main`), so each driver
// hands control to libFuzzer through LLVMFuzzerRunDriver, available when linked with
// -sanitize=fuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The body under test; set once by `runFuzzer` before libFuzzer starts calling back.
nonisolated(unsafe) private var fuzzBody: ((UnsafeRawBufferPointer) -> Void)?

/// Runs libFuzzer with the process's arguments, calling `body` with every input. A trap or a
/// sanitizer report inside `body` is a finding.
public func runFuzzer(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
    fuzzBody = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        fuzzBody?(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
        return 0
    })
}

/// Traps with a message when an invariant of the code under test does not hold.
public func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("fuzz invariant failed: \(message())", file: file, line: line) }
}

/// Consumes fuzzer bytes as small integers for decisions; returns 0 once exhausted.
public struct FuzzBytes {
    public private(set) var bytes: ArraySlice<UInt8>

    public init(_ buffer: UnsafeRawBufferPointer) {
        bytes = ArraySlice(buffer)
    }

    public var isEmpty: Bool { bytes.isEmpty }

    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    public mutating func uint16() -> UInt16 {
        UInt16(byte()) << 8 | UInt16(byte())
    }

    /// Up to `count` bytes, fewer when the input runs out.
    public mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        let taken = bytes.prefix(count)
        bytes = bytes.dropFirst(taken.count)
        return taken
    }

    /// Everything that is left.
    public mutating func rest() -> ArraySlice<UInt8> {
        defer { bytes = [] }
        return bytes
    }
}
