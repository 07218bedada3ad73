public import Resources
import OrderedCollections

/// JSON patch (RFC 6902), the `application/json-patch+json` patch type.
///
/// Operations `add`, `remove`, `replace`, `move`, `copy` and `test`, with JSON pointers
/// (RFC 6901, `~0` and `~1` escapes, `-` for the end of an array). A patch that is not a list of
/// operations is a 400 Bad Request; an operation that does not apply is a 422 Invalid error
/// worded as kube-apiserver's JSON patch library words it:
///
/// ```swift
/// try JSONPatch.apply([["op": "remove", "path": "/spec/foo"]], to: deployment)
/// // APIError 422: remove operation does not apply: doc is missing path: "/spec/foo": missing value
/// ```
public enum JSONPatch {
    /// The target with every operation of `patch` applied in order.
    ///
    /// - Throws: ``APIError`` 400 for a malformed patch, 422 for an operation that does not apply
    ///   (the whole patch is then not applied), 413 for more than 10,000 operations.
    public static func apply(_ patch: JSONValue, to target: JSONValue) throws(APIError) -> JSONValue {
        guard case .array(let operations) = patch else {
            throw .badRequest(
                "json: cannot unmarshal \(goTypeName(patch)) into Go value of type jsonpatch.Patch")
        }
        if operations.count > maxOperations {
            throw APIError(
                code: 413, reason: .requestEntityTooLarge,
                message: "The allowed maximum operations in a JSON patch is \(maxOperations), got \(operations.count)")
        }
        var document = target
        for operation in operations {
            guard case .object(let members) = operation else {
                throw .badRequest(
                    "json: cannot unmarshal \(goTypeName(operation)) into Go value of type jsonpatch.Operation")
            }
            do {
                try apply(members, to: &document)
            } catch let failure {
                throw APIError(code: 422, reason: .invalid, message: failure.message)
            }
        }
        return document
    }

    /// kube-apiserver's limit on the operations of one patch.
    public static let maxOperations = 10_000

    private static func goTypeName(_ value: JSONValue) -> String {
        switch value {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .int, .double: "number"
        case .bool: "bool"
        case .null: "null"
        }
    }

    struct Failure: Error {
        var message: String
    }

    private static func apply(_ operation: JSONObject, to document: inout JSONValue) throws(Failure) {
        let kind = operation["op"]?.stringValue ?? "unknown"
        func pointer(_ member: String) throws(Failure) -> (text: String, tokens: [String]) {
            guard let text = operation[member]?.stringValue else {
                let what = member == "path" ? "path" : "from"
                throw Failure(message: "\(kind) operation failed to decode \(what): missing value")
            }
            return (text, try JSONPointer.tokens(text))
        }
        func value() throws(Failure) -> JSONValue {
            guard let value = operation["value"] else {
                throw Failure(message: "\(kind) operation failed to decode value: missing value")
            }
            return value
        }
        switch kind {
        case "add":
            let path = try pointer("path")
            try add(try value(), at: path, to: &document, operation: "add")
        case "remove":
            let path = try pointer("path")
            _ = try remove(at: path, from: &document, operation: "remove")
        case "replace":
            let path = try pointer("path")
            let newValue = try value()
            try JSONPointer.edit(&document, path.tokens) { (parent: inout JSONValue, token: String) throws(Failure) in
                switch parent {
                case .object(var members):
                    guard members[token] != nil else {
                        throw Failure(
                            message: "replace operation does not apply: doc is missing key: \(path.text): missing value")
                    }
                    parent = .null
                    members[token] = newValue
                    parent = .object(members)
                case .array(var elements):
                    guard let index = JSONPointer.index(token), elements.indices.contains(index) else {
                        throw Failure(
                            message: "replace operation does not apply: doc is missing key: \(path.text): missing value")
                    }
                    parent = .null
                    elements[index] = newValue
                    parent = .array(elements)
                default:
                    throw Failure(message: "replace operation does not apply: doc is missing path: \(path.text): missing value")
                }
            } whole: { (whole: inout JSONValue) in
                whole = newValue
            } missing: {
                Failure(message: "replace operation does not apply: doc is missing path: \(path.text): missing value")
            }
        case "move":
            let from = try pointer("from")
            let path = try pointer("path")
            if path.tokens.count > from.tokens.count, Array(path.tokens.prefix(from.tokens.count)) == from.tokens {
                throw Failure(message: "move operation does not apply: \(from.text) is a prefix of \(path.text)")
            }
            if from.tokens == path.tokens { return }
            let moved = try remove(at: from, from: &document, operation: "move")
            try add(moved, at: path, to: &document, operation: "move")
        case "copy":
            let from = try pointer("from")
            let path = try pointer("path")
            guard let copied = JSONPointer.value(in: document, at: from.tokens) else {
                throw Failure(message: "copy operation does not apply: doc is missing from path: \(from.text): missing value")
            }
            try add(copied, at: path, to: &document, operation: "copy")
        case "test":
            let path = try pointer("path")
            let expected = try value()
            guard JSONPointer.value(in: document, at: path.tokens.dropLast().map { $0 }) != nil else {
                throw Failure(message: "test operation does not apply: is missing path: \(path.text): missing value")
            }
            guard let actual = JSONPointer.value(in: document, at: path.tokens), actual == expected else {
                throw Failure(message: "testing value \(path.text) failed: test failed")
            }
        default:
            throw Failure(message: "Unexpected kind: \(kind)")
        }
    }

    private static func add(
        _ newValue: JSONValue, at path: (text: String, tokens: [String]), to document: inout JSONValue,
        operation: String
    ) throws(Failure) {
        let missing = operation == "add"
            ? "add operation does not apply: doc is missing path: \"\(path.text)\": missing value"
            : "\(operation) operation does not apply: doc is missing destination path: \(path.text): missing value"
        try JSONPointer.edit(&document, path.tokens) { (parent: inout JSONValue, token: String) throws(Failure) in
            switch parent {
            case .object(var members):
                parent = .null
                members[token] = newValue
                parent = .object(members)
            case .array(var elements):
                let index: Int
                if token == "-" {
                    index = elements.count
                } else if let parsed = JSONPointer.index(token), parsed <= elements.count {
                    index = parsed
                } else {
                    throw Failure(
                        message: "error in \(operation) for path: '\(path.text)': "
                            + "Unable to access invalid index: \(token): invalid index referenced")
                }
                parent = .null
                elements.insert(newValue, at: index)
                parent = .array(elements)
            default:
                throw Failure(message: missing)
            }
        } whole: { (whole: inout JSONValue) in
            whole = newValue
        } missing: {
            Failure(message: missing)
        }
    }

    private static func remove(
        at path: (text: String, tokens: [String]), from document: inout JSONValue, operation: String
    ) throws(Failure) -> JSONValue {
        var removed = JSONValue.null
        let missing = operation == "remove"
            ? "remove operation does not apply: doc is missing path: \"\(path.text)\": missing value"
            : "\(operation) operation does not apply: doc is missing from path: \(path.text): missing value"
        try JSONPointer.edit(&document, path.tokens) { (parent: inout JSONValue, token: String) throws(Failure) in
            switch parent {
            case .object(var members):
                guard let value = members.removeValue(forKey: token) else {
                    throw Failure(
                        message: "error in \(operation) for path: '\(path.text)': "
                            + "Unable to remove nonexistent key: \(token): missing value")
                }
                removed = value
                parent = .object(members)
            case .array(var elements):
                guard let index = JSONPointer.index(token), elements.indices.contains(index) else {
                    throw Failure(
                        message: "error in \(operation) for path: '\(path.text)': "
                            + "Unable to access invalid index: \(token): invalid index referenced")
                }
                parent = .null
                removed = elements.remove(at: index)
                parent = .array(elements)
            default:
                throw Failure(message: missing)
            }
        } whole: { (whole: inout JSONValue) in
            removed = whole
            whole = .null
        } missing: {
            Failure(message: missing)
        }
        return removed
    }
}

/// JSON pointers (RFC 6901).
enum JSONPointer {
    /// The reference tokens of `text`, unescaped.
    static func tokens(_ text: String) throws(JSONPatch.Failure) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else {
            throw JSONPatch.Failure(message: "JSON pointer \(text) does not start with \"/\"")
        }
        var tokens: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var iterator = raw.makeIterator()
            while let character = iterator.next() {
                guard character == "~" else {
                    token.append(character)
                    continue
                }
                switch iterator.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default: throw JSONPatch.Failure(message: "JSON pointer \(text) has an invalid escape")
                }
            }
            tokens.append(token)
        }
        return tokens
    }

    /// An array index token: digits without a leading zero.
    static func index(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            token == "0" || !token.hasPrefix("0")
        else { return nil }
        return Int(token)
    }

    /// The value at `tokens`, or `nil` when there is none.
    static func value(in document: JSONValue, at tokens: [String]) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = index(token), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Calls `body` with the container that holds the last token, in place; `whole` when the
    /// pointer names the document itself. Throws `missing()` when a step is absent.
    static func edit<Failure: Error>(
        _ document: inout JSONValue, _ tokens: [String],
        _ body: (inout JSONValue, String) throws(Failure) -> Void,
        whole: (inout JSONValue) -> Void,
        missing: () -> Failure
    ) throws(Failure) {
        guard let last = tokens.last else {
            whole(&document)
            return
        }
        try descend(&document, tokens.dropLast()[...], last, body, missing)
    }

    private static func descend<Failure: Error>(
        _ value: inout JSONValue, _ steps: ArraySlice<String>, _ last: String,
        _ body: (inout JSONValue, String) throws(Failure) -> Void, _ missing: () -> Failure
    ) throws(Failure) {
        guard let step = steps.first else {
            try body(&value, last)
            return
        }
        switch value {
        case .object(var members):
            guard var child = members[step] else { throw missing() }
            value = .null
            members[step] = .null
            defer {
                members[step] = child
                value = .object(members)
            }
            try descend(&child, steps.dropFirst(), last, body, missing)
        case .array(var elements):
            guard let index = index(step), elements.indices.contains(index) else { throw missing() }
            var child = elements[index]
            value = .null
            elements[index] = .null
            defer {
                elements[index] = child
                value = .array(elements)
            }
            try descend(&child, steps.dropFirst(), last, body, missing)
        default:
            throw missing()
        }
    }
}
