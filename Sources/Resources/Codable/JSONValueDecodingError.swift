/// A ``JSONValue`` that does not have the shape a `Decodable` type expects.
///
/// The path names the offending field in the syntax of ``FieldPath``, so messages read like
/// `spec.components[1].name: expected a string, found an integer`.
public struct JSONValueDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the decoded value the problem is; empty for the value itself.
    public var path: FieldPath
    /// What is wrong, without the path.
    public var message: String

    public init(path: FieldPath, message: String) {
        self.path = path
        self.message = message
    }

    /// `"<path>: <message>"`, or only the message when the path is empty.
    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}

extension JSONValueDecodingError {
    /// The same error in our terms, for `DecodingError`s thrown by hand-written `init(from:)`s.
    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(path: FieldPath(codingPath: context.codingPath + [key]), message: "required field is missing")
        case .valueNotFound(_, let context):
            self.init(path: FieldPath(codingPath: context.codingPath), message: "a value is required, found null")
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            self.init(path: FieldPath(codingPath: context.codingPath), message: context.debugDescription)
        @unknown default:
            self.init(path: .root, message: "\(error)")
        }
    }
}

extension FieldPath {
    /// A coding path as a field path: array positions become indexes, all other keys fields.
    init(codingPath: [any CodingKey]) {
        self.init(
            codingPath.map { key -> Segment in
                if let key = key as? JSONIndexKey { return .index(key.index) }
                // Other coders name array positions "Index 3" with an integer value.
                if let index = key.intValue, key.stringValue == "Index \(index)" { return .index(index) }
                return .field(key.stringValue)
            })
    }
}

/// The coding key of an array element.
struct JSONIndexKey: CodingKey {
    let index: Int

    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }

    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
}

/// A coding key for any object member.
struct JSONMemberKey: CodingKey {
    let stringValue: String

    init(_ name: String) { self.stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue) }

    var intValue: Int? { nil }
}
