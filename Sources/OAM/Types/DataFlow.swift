import OrderedCollections
/// A value a component or trait publishes from its live object (spec §2.5, §6).
public struct DataOutput: Codable, Sendable, Hashable {
    public var name: String?
    /// Where the value is in the producer's live object; empty for an ordering-only output.
    public var fieldPath: String?
    /// Conditions the producer must meet before the value is ready.
    public var conditions: [ConditionRequirement]?
    public var outputStore: StoreReference?

    public init(name: String? = nil, fieldPath: String? = nil, conditions: [ConditionRequirement]? = nil) {
        self.name = name
        self.fieldPath = fieldPath
        self.conditions = conditions
    }
}

/// A value a component or trait takes from a ``DataOutput`` (spec §2.5, §6).
public struct DataInput: Codable, Sendable, Hashable {
    public var valueFrom: DataInputValueFrom?
    /// Where the value is written in the consumer.
    public var toFieldPaths: [String]?
    /// Conditions on the consumer's live object (for "fill only while empty").
    public var conditions: [ConditionRequirement]?
    public var inputStore: StoreReference?

    public init(valueFrom: DataInputValueFrom? = nil, toFieldPaths: [String]? = nil,
                conditions: [ConditionRequirement]? = nil) {
        self.valueFrom = valueFrom
        self.toFieldPaths = toFieldPaths
        self.conditions = conditions
    }
}

/// Names the output a ``DataInput`` reads.
public struct DataInputValueFrom: Codable, Sendable, Hashable {
    public var dataOutputName: String

    public init(dataOutputName: String) {
        self.dataOutputName = dataOutputName
    }
}

/// A check of a value (spec §6.3): `eq`, `notEq` or `notEmpty`.
public struct ConditionRequirement: Codable, Sendable, Hashable {
    public var op: String
    public var value: String?
    public var valueFrom: ConditionValueFrom?
    public var fieldPath: String?

    public init(op: String, value: String? = nil, valueFrom: ConditionValueFrom? = nil, fieldPath: String? = nil) {
        self.op = op
        self.value = value
        self.valueFrom = valueFrom
        self.fieldPath = fieldPath
    }

    /// The operators the runtime understands.
    public static let knownOperators: Set<String> = ["eq", "notEq", "notEmpty"]
}

/// Takes the expected value of a condition from a field of the ApplicationConfiguration.
public struct ConditionValueFrom: Codable, Sendable, Hashable {
    public var fieldPath: String

    public init(fieldPath: String) {
        self.fieldPath = fieldPath
    }
}

/// An object data is stored in or read from (spec §6.6).
public struct StoreReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String
    public var uid: String?
    public var operations: [DataOperation]?
}

/// One JSON-patch operation on a store (spec §6.6).
public struct DataOperation: Codable, Sendable, Hashable {
    public var type: String
    public var op: String
    public var toFieldPath: String
    public var toDataPath: String?
    public var value: String?
    public var valueFrom: ConditionValueFrom?
    public var conditions: [ConditionRequirement]?
}
