import OrderedCollections
public import Resources

/// A reference to an object by type and name (crossplane-runtime `TypedReference`).
public struct TypedReference: Codable, Sendable, Hashable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String?

    public init(apiVersion: String, kind: String, name: String, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
    }

    /// A reference to `resource` (without its uid).
    public init(to resource: Resource) {
        self.init(apiVersion: resource.apiVersion, kind: resource.kind, name: resource.name)
    }

    /// `{apiVersion, kind, name}` (and `uid` when set) as JSON.
    public var json: JSONValue {
        // Built from keys known to be distinct: this runs for every rendered trait and scope member.
        if let uid {
            return .object(JSONObject(
                uncheckedUniqueKeys: Self.keysWithUID,
                values: [.string(apiVersion), .string(kind), .string(name), .string(uid)] as ContiguousArray))
        }
        return .object(JSONObject(
            uncheckedUniqueKeys: Self.keys, values: [.string(apiVersion), .string(kind), .string(name)] as ContiguousArray))
    }

    private static let keys: ContiguousArray<String> = ["apiVersion", "kind", "name"]
    private static let keysWithUID: ContiguousArray<String> = ["apiVersion", "kind", "name", "uid"]

    /// Whether both name the same object (uids are not compared).
    public func refersToSameObject(as other: TypedReference) -> Bool {
        apiVersion == other.apiVersion && kind == other.kind && name == other.name
    }

    public var description: String { "\(kind)/\(name)" }
}

/// A condition of a status (crossplane-runtime `Condition`).
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var lastTransitionTime: String?
    public var reason: String?
    public var message: String?

    public init(type: String, status: String, lastTransitionTime: String? = nil, reason: String? = nil,
                message: String? = nil) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// A value that may be an integer or a string (Kubernetes `IntOrString`).
public enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Decoding a JSONValue is free with Mizzen's decoder and throws nothing on the common path.
        switch try container.decode(JSONValue.self) {
        case .int(let value):
            self = .int(value)
            return
        case .string(let value):
            self = .string(value)
            return
        case .double(let value) where value.rounded() == value && abs(value) < 9.2e18:
            self = .int(Int64(value))
            return
        default:
            break
        }
        if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw DecodingError.typeMismatch(
                IntOrString.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected an integer or a string"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    /// The value as JSON: integers stay integers.
    public var json: JSONValue {
        switch self {
        case .int(let value): .int(value)
        case .string(let value): .string(value)
        }
    }

    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .string(let value): value
        }
    }
}
