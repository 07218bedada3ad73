/// Why a YAML or JSON text could not be decoded, and where.
///
/// ```swift
/// do { _ = try DocumentDecoder.decode(text, file: "app.yaml") }
/// catch { print(error) }   // app.yaml:5:10: mapping values are not allowed in this context
/// ```
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem was found.
    public var location: SourceLocation
    /// What is wrong, on one line.
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(location): \(message)" }
}
