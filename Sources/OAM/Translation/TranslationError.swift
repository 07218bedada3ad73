import OrderedCollections
public import Resources

/// A ContainerizedWorkload that cannot be translated: the field that is wrong and why.
///
/// ```swift
/// // spec.containers[1].ports[0].containerPort: expected an integer, found a string
/// print(error)
/// ```
public struct TranslationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field of the ContainerizedWorkload that is wrong.
    public var path: FieldPath
    /// What is wrong with it, without the path.
    public var message: String

    public init(path: FieldPath, message: String) {
        self.path = path
        self.message = message
    }

    /// `<path>: <message>`.
    public var description: String { "\(path): \(message)" }

    static func missing(_ path: FieldPath) -> TranslationError {
        TranslationError(path: path, message: "required field is missing")
    }

    static func wrongType(_ path: FieldPath, expected: String, found: JSONValue) -> TranslationError {
        TranslationError(path: path, message: "expected \(expected), found \(found.typeNameWithArticle)")
    }
}

extension JSONValue {
    /// The type name with an indefinite article, for messages: "an integer", "a string", "null".
    var typeNameWithArticle: String {
        switch self {
        case .null: "null"
        case .int, .array, .object: "an \(typeName)"
        case .bool, .double, .string: "a \(typeName)"
        }
    }
}
