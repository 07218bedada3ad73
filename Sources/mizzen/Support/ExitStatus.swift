import ArgumentParser

/// The exit codes every command shares (README, "Exit codes").
enum ExitStatus {
    /// Success: done, valid, healthy, no difference.
    static let success = ExitCode(0)
    /// An error, or (`diff`) a difference.
    static let failure = ExitCode(1)
    /// Wrong usage or invalid input: an unknown flag, a file that does not parse, an object that
    /// does not validate.
    static let invalidInput = ExitCode(2)
    /// The application is not healthy.
    static let unhealthy = ExitCode(3)
    /// `--wait` ran out of `--timeout`.
    static let timeout = ExitCode(4)

    /// ArgumentParser's code for a usage error (`EX_USAGE`), which Mizzen reports as ``invalidInput``.
    static let argumentParserUsage: Int32 = 64
}

/// An error a user can act on: the command prints `error: message`, then the hint on its own
/// line, on standard error and exits with `status`.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var hint: String?
    var status: ExitCode

    init(_ message: String, hint: String? = nil, status: ExitCode = ExitStatus.failure) {
        self.message = message
        self.hint = hint
        self.status = status
    }

    var description: String {
        "error: \(message)" + (hint.map { "\n  \($0)" } ?? "")
    }
}
