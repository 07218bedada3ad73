/// A position in a source file: 1-based line and column (columns count Unicode scalars, as
/// libyaml does).
///
/// ```swift
/// SourceLocation(file: "app.yaml", line: 3, column: 5).description   // "app.yaml:3:5"
/// ```
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file the text came from, if it came from a file.
    public var file: String?
    /// The line, starting at 1.
    public var line: Int
    /// The column, starting at 1.
    public var column: Int

    public init(file: String? = nil, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, or `line:column` when there is no file.
    public var description: String {
        if let file { return "\(file):\(line):\(column)" }
        return "\(line):\(column)"
    }
}
