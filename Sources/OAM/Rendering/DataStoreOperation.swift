import OrderedCollections
public import Resources

extension StoreReference {
    public init(apiVersion: String, kind: String, name: String, operations: [DataOperation]? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.operations = operations
    }

    /// `Kind/name`, for messages.
    var label: String { "\(kind ?? "?")/\(name)" }
}

extension DataOperation {
    /// A `jsonPatch` operation.
    public init(
        op: String, toFieldPath: String, toDataPath: String? = nil, value: String? = nil,
        valueFrom: ConditionValueFrom? = nil, conditions: [ConditionRequirement]? = nil
    ) {
        self.type = DataStoreOperation.jsonPatch
        self.op = op
        self.toFieldPath = toFieldPath
        self.toDataPath = toDataPath
        self.value = value
        self.valueFrom = valueFrom
        self.conditions = conditions
    }

    /// Where the operation writes, as the status shows it: `toFieldPath`, or
    /// `toFieldPath(toDataPath)` for a write inside the JSON document held at `toFieldPath`.
    public var destination: String {
        guard let toDataPath, !toDataPath.isEmpty else { return toFieldPath }
        return "\(toFieldPath)(\(toDataPath))"
    }
}

/// One `outputStore`/`inputStore` operation applied to a JSON value (spec §6.6): pure, so that
/// the renderer and the tests share it.
///
/// - Without `toDataPath` the value is written at `toFieldPath` (`add`, `replace`), or the field
///   is removed (`delete`).
/// - With `toDataPath` the field at `toFieldPath` holds a JSON document as a string (`'{"a":1}'`;
///   missing or empty counts as `{}`): the operation is applied inside that document at
///   `toDataPath` and the document is written back as a string.
///
/// ```swift
/// var store: JSONValue = ["data": ["settings": "{}"]]
/// try DataStoreOperation.apply(
///     DataOperation(op: "add", toFieldPath: "data.settings", toDataPath: "db.host"), value: "db.svc", to: &store)
/// // store.data.settings == #"{"db":{"host":"db.svc"}}"#
/// ```
public enum DataStoreOperation {
    /// The only operation type (`type`) there is.
    public static let jsonPatch = "jsonPatch"
    /// The JSON-patch operations an operation may name (`op`).
    public static let operators: [String] = ["add", "replace", "delete"]

    /// What is wrong with an operation, and which of its fields (relative to the operation).
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The field of the operation at fault: `toFieldPath`, `toDataPath`, `type`, `op`, `value`.
        public var field: String
        public var message: String

        public var description: String { "\(field): \(message)" }
    }

    /// The value an operation with `value` writes: the text as a JSON literal (`"{}"` is an
    /// object, `"3"` a number, `'"3"'` a string); text that is not JSON is taken as a string.
    public static func literal(_ text: String) -> JSONValue {
        (try? JSONValue(parsingJSON: text)) ?? .string(text)
    }

    /// What the operation itself is missing or gets wrong, before any value is known; `nil` when
    /// it is well formed.
    public static func problem(in operation: DataOperation) -> Failure? {
        if let failure = shapeProblem(in: operation) { return failure }
        let hasValue = !(operation.value ?? "").isEmpty || !(operation.valueFrom?.fieldPath ?? "").isEmpty
        if !hasValue && operation.op != "delete" {
            return Failure(field: "value", message: "the operation needs value or valueFrom.fieldPath (only delete needs neither)")
        }
        return nil
    }

    /// The problems of the operation's type, op and paths (whatever value it is given).
    static func shapeProblem(in operation: DataOperation) -> Failure? {
        guard operation.type == jsonPatch else {
            return Failure(field: "type", message: "unsupported operation type \"\(operation.type)\" (the only type is \(jsonPatch))")
        }
        guard operators.contains(operation.op) else {
            return Failure(field: "op", message: "unknown operation \"\(operation.op)\" (use add, replace or delete)")
        }
        guard !operation.toFieldPath.isEmpty else {
            return Failure(field: "toFieldPath", message: "toFieldPath is required: it names the field the operation writes")
        }
        if let failure = parse(operation.toFieldPath, field: "toFieldPath").failure { return failure }
        if let dataPath = operation.toDataPath, !dataPath.isEmpty,
            let failure = parse(dataPath, field: "toDataPath").failure
        {
            return failure
        }
        if let from = operation.valueFrom?.fieldPath, !from.isEmpty,
            let failure = parse(from, field: "valueFrom.fieldPath").failure
        {
            return failure
        }
        return nil
    }

    private static func parse(_ text: String, field: String) -> (path: FieldPath?, failure: Failure?) {
        do {
            return (try FieldPath(parsing: text), nil)
        } catch {
            return (nil, Failure(field: field, message: error.description))
        }
    }

    /// Applies `operation` to `target` with `value` (ignored by `delete`).
    ///
    /// - Throws: ``Failure`` naming the operation's field at fault.
    public static func apply(_ operation: DataOperation, value: JSONValue?, to target: inout JSONValue) throws(Failure) {
        if let failure = shapeProblem(in: operation) { throw failure }
        guard let fieldPath = parse(operation.toFieldPath, field: "toFieldPath").path else { return }
        let dataPathText = operation.toDataPath ?? ""
        if dataPathText.isEmpty {
            try write(operation.op, value, at: fieldPath, in: &target, field: "toFieldPath")
            return
        }
        guard let dataPath = parse(dataPathText, field: "toDataPath").path else { return }
        var document: JSONValue
        switch target.valueIfPresent(at: fieldPath) {
        case nil, .null?, .string("")?:
            document = .object([:])
        case .string(let text)?:
            do {
                document = try JSONValue(parsingJSON: text)
            } catch {
                throw Failure(field: "toFieldPath",
                              message: "\(fieldPath) holds text that is not a JSON document, so toDataPath cannot write into it: \(error)")
            }
        case let structured?:
            // An object or array already there is the document itself.
            document = structured
        }
        try write(operation.op, value, at: dataPath, in: &document, field: "toDataPath")
        do {
            try target.setValue(.string(document.jsonString()), at: fieldPath)
        } catch {
            throw Failure(field: "toFieldPath", message: error.description)
        }
    }

    /// `add` and `replace` set the value (creating what is missing; `add` at an array index
    /// inserts, as JSON patch does), `delete` removes the field if it is there.
    private static func write(
        _ op: String, _ value: JSONValue?, at path: FieldPath, in target: inout JSONValue, field: String
    ) throws(Failure) {
        do {
            switch op {
            case "delete":
                try target.removeValue(at: path)
            case "add":
                if case .index(let index)? = path.segments.last,
                    case .array(var elements)? = target.valueIfPresent(at: path.prefix(path.segments.count - 1)),
                    index <= elements.count
                {
                    elements.insert(value ?? .null, at: index)
                    try target.setValue(.array(elements), at: path.prefix(path.segments.count - 1))
                } else {
                    try target.setValue(value ?? .null, at: path)
                }
            default:
                try target.setValue(value ?? .null, at: path)
            }
        } catch {
            throw Failure(field: field, message: error.description)
        }
    }
}

extension StoreReference {
    /// What is wrong with this `outputStore`/`inputStore` at `path`, for validation: its
    /// reference and each operation (with its conditions).
    func diagnostics(path: FieldPath) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (field, value) in [("apiVersion", apiVersion), ("kind", kind), ("name", name)] where (value ?? "").isEmpty {
            out.append(.error(nil, path.appending(field), "the store needs \(field) (for example apiVersion: v1, kind: ConfigMap)"))
        }
        for (index, operation) in (operations ?? []).enumerated() {
            let operationPath = path.appending("operations").appending(index: index)
            if let problem = DataStoreOperation.problem(in: operation) {
                let field = (try? FieldPath(parsing: problem.field)) ?? FieldPath([.field(problem.field)])
                out.append(.error(nil, operationPath.appending(field), problem.message))
            }
            for (conditionIndex, condition) in (operation.conditions ?? []).enumerated()
            where !ConditionRequirement.knownOperators.contains(condition.op) {
                out.append(.error(nil, operationPath.appending("conditions").appending(index: conditionIndex).appending("op"),
                                  "unknown operator \"\(condition.op)\" (use eq, notEq or notEmpty)"))
            }
        }
        return out
    }
}
