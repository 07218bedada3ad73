/// JSON text that cannot be parsed, with the position of the offending byte.
///
/// ```swift
/// do { _ = try JSONValue(parsingJSON: "{\"a\": 1 \"b\": 2}") }
/// catch { print(error) }   // 1:10: expected ',' or '}' after an object member, found '"'
/// ```
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line of the offending byte.
    public var line: Int
    /// The 1-based column of the offending byte, counted in Unicode scalars from the line start.
    public var column: Int
    /// What is wrong, without the position.
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `"line:column: message"`.
    public var description: String { "\(line):\(column): \(message)" }
}
