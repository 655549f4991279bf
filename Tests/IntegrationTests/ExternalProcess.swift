import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real third-party program (ffmpeg, ffprobe, gst-launch-1.0) or the muster binary, with its
/// output captured in files so that a chatty child can never block on a full pipe.
///
/// Spawned with posix_spawn and an empty signal mask: the test runner's threads block signals,
/// and a child inheriting that mask would never see the SIGTERM or SIGINT a test sends it.
final class ExternalProcess: @unchecked Sendable {
    let executable: String
    let arguments: [String]
    private let stdoutPath: String
    private let stderrPath: String
    private var pid: pid_t = 0
    private var exitStatus: Int32?

    init(_ executable: String, _ arguments: [String]) throws {
        self.executable = executable.hasPrefix("/") ? executable : try Self.locate(executable)
        self.arguments = arguments
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("muster-proc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        stdoutPath = directory + "/stdout"
        stderrPath = directory + "/stderr"
    }

    static func locate(_ name: String) throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestFailure("\(name) is not installed; run tools/setup")
    }

    func start() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else { throw TestFailure("cannot start \(executable): \(String(cString: strerror(status)))") }
    }

    var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    var isRunning: Bool {
        pollExit()
        return pid != 0 && exitStatus == nil
    }

    private func pollExit() {
        guard pid != 0, exitStatus == nil else { return }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            // Exit code for a normal exit, 128 + signal number for a signal, as shells report it.
            let signal = status & 0x7F
            exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        }
    }

    /// Waits for the process to end; kills it past `timeout` (a hang guard, not a measurement).
    @discardableResult
    func wait(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now > deadline {
                signal(SIGKILL)
                while isRunning { try await Task.sleep(for: .milliseconds(10)) }
                throw TestFailure("\((executable as NSString).lastPathComponent) did not finish within \(timeout): \(standardError.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return exitStatus ?? -1
    }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Ends the process at once (SIGKILL) and reaps it.
    func stop() {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus = 128 + SIGKILL
    }

    /// Runs a program to completion and returns its standard output; throws with its standard
    /// error when it fails.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> String {
        let process = try ExternalProcess(executable, arguments)
        try process.start()
        let status = try await process.wait(timeout: timeout)
        guard status == 0 else {
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) exited with \(status): \(process.standardError.suffix(3000))")
        }
        return process.standardOutput
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
