import ArgumentParser

extension Musterctl {
    /// Parses and runs the command and returns the exit status, musterctl's own codes:
    /// ArgumentParser would exit 64 for a usage error, but scripts are promised 2 (see
    /// `MusterctlError.Code`).
    static func run(_ arguments: [String]) async -> Int32 {
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as MusterctlError {
            ConsoleOutput.printError(error.report)
            return error.code.rawValue
        } catch {
            return reportParsingOutcome(error)
        }
    }

    /// Prints what ArgumentParser has to say about `error` (help on standard output, a usage
    /// error with the usage on standard error) and returns the exit status.
    static func reportParsingOutcome(_ error: any Error) -> Int32 {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            ConsoleOutput.print(message.isEmpty ? "" : message + "\n")
            return 0
        }
        if !message.isEmpty { ConsoleOutput.printError(message + "\n") }
        return exitStatus(for: code)
    }

    /// ArgumentParser's validation failure (64) becomes 2; other codes stay as they are.
    static func exitStatus(for code: ExitCode) -> Int32 {
        code == .validationFailure ? MusterctlError.Code.usage.rawValue : code.rawValue
    }
}
