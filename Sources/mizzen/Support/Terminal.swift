import ArgumentParser
import Foundation

/// What standard output is connected to, and so how a command writes: tables and colour on a
/// terminal, plain lines when piped; colour never with `NO_COLOR` or `--no-color`.
struct Terminal: Sendable {
    /// Standard output is a terminal.
    var isTTY: Bool
    /// ANSI colours may be used.
    var colors: Bool
    /// The terminal's width in columns (80 when it cannot be told).
    var width: Int

    /// Plain output: what scripts and tests see.
    static let plain = Terminal(isTTY: false, colors: false, width: 80)

    /// The terminal standard output is connected to.
    static func detect(noColor: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Terminal {
        let tty = isatty(STDOUT_FILENO) == 1
        let disabled = noColor || !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        var size = winsize()
        let width = tty && ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        return Terminal(isTTY: tty, colors: tty && !disabled, width: width)
    }

    enum Style: String {
        case bold = "1"
        case dim = "2"
        case red = "31"
        case green = "32"
        case yellow = "33"
        case blue = "34"
        case cyan = "36"
    }

    /// `text` in `style` when colours are on; `text` as it is otherwise.
    func paint(_ text: String, _ style: Style) -> String {
        colors && !text.isEmpty ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

/// `--no-color`, shared by every command that writes for people.
struct StyleOptions: ParsableArguments {
    @Flag(help: "Never colour the output (NO_COLOR=1 does the same).")
    var noColor = false

    var terminal: Terminal { Terminal.detect(noColor: noColor) }
}

/// Writes to standard output without buffering, so that a parent process sees lines at once.
enum StandardOutput {
    static func writeLine(_ text: String) {
        write(text + "\n")
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
