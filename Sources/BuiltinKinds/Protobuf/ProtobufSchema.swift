/// The protobuf messages of the built-in kinds, parsed once from the generated table
/// (`ProtobufMessages+Generated.swift`, written by `scripts/gen-protobuf-table.py` from the Go API
/// types).
///
/// A message is named `package.Name`, for example `apps/v1.Deployment` or `meta/v1.ObjectMeta`.
struct ProtobufSchema: Sendable {
    /// The type of a field (of each element, for a repeated field).
    indirect enum FieldType: Sendable, Equatable {
        case string, bool, int32, int64, uint32, uint64, double, bytes
        /// A message, by full name.
        case message(String)
        /// A map: each entry is a message with the key as field 1 and the value as field 2.
        case map(key: FieldType, value: FieldType)
    }

    /// One field of a message, as the Go struct declares it.
    struct Field: Sendable {
        var number: Int
        /// The JSON name (`_` for an inline struct).
        var jsonName: String
        var isPointer = false
        var omitEmpty = false
        var omitZero = false
        var isRepeated = false
        /// A struct embedded with `json:",inline"`: its JSON members are the parent's.
        var isInline = false
        var type: FieldType
    }

    /// A message: its fields in the Go struct's order.
    struct Message: Sendable {
        var name: String
        var fields: [Field]
        /// Index into `fields` by field number.
        var indexByNumber: [Int: Int]
        /// A top-level kind (it inlines TypeMeta).
        var isKind: Bool
        /// A named slice (`type ExtraValue []string`): its JSON is its one field's array.
        var isWrapper: Bool
        /// A type with its own wire or JSON form (Time, Quantity, IntOrString, …).
        var isSpecial: Bool
    }

    var messages: [String: Message] = [:]
    /// Message names by `apiVersion kind`.
    var kinds: [String: String] = [:]
    /// The apiVersions of the packages in the table.
    var apiVersions: Set<String> = []

    /// The schema of the built-in kinds.
    static let builtin = ProtobufSchema(table: generatedTable)

    /// Parses the table format the generator describes.
    init(table: String) {
        var package = ""
        var apiVersion = ""
        var current: Message?
        func finish() {
            guard let message = current else { return }
            messages[message.name] = message
            if message.isKind, apiVersion != "-" {
                let kind = String(message.name[message.name.index(after: message.name.lastIndex(of: ".")!)...])
                kinds["\(apiVersion) \(kind)"] = message.name
            }
            current = nil
        }
        for line in table.split(separator: "\n") {
            let parts = line.split(separator: " ")
            switch parts.first {
            case "P":
                finish()
                package = String(parts[1])
                apiVersion = String(parts[2])
                if apiVersion != "-" { apiVersions.insert(apiVersion) }
            case "M":
                finish()
                let flags = parts.count > 2 ? parts[2] : ""
                current = Message(
                    name: "\(package).\(parts[1])", fields: [], indexByNumber: [:], isKind: flags.contains("K"),
                    isWrapper: flags.contains("W"), isSpecial: flags.contains("X"))
            default:
                guard parts.count == 4, let number = Int(parts[0]) else { continue }
                let flags = parts[2]
                var field = Field(number: number, jsonName: String(parts[1]), type: Self.fieldType(parts[3], package: package))
                field.isPointer = flags.contains("p")
                field.omitEmpty = flags.contains("o")
                field.omitZero = flags.contains("z")
                field.isRepeated = flags.contains("r")
                field.isInline = flags.contains("i")
                guard var message = current else { continue }
                message.indexByNumber[number] = message.fields.count
                message.fields.append(field)
                current = message
            }
        }
        finish()
    }

    private static func fieldType(_ code: Substring, package: String) -> FieldType {
        switch code {
        case "s": return .string
        case "b": return .bool
        case "i": return .int32
        case "l": return .int64
        case "u": return .uint32
        case "U": return .uint64
        case "d": return .double
        case "y": return .bytes
        default:
            if code.hasPrefix("map:") {
                let parts = code.split(separator: ":", maxSplits: 2)
                return .map(key: fieldType(parts[1], package: package), value: fieldType(parts[2], package: package))
            }
            return .message(code.contains("/") ? String(code) : "\(package).\(code)")
        }
    }

    /// The message of a kind, or nil when the kind has no protobuf form (custom resources,
    /// Tables). `Status` and the other meta/v1 kinds are found under any built-in apiVersion, as
    /// kube-apiserver writes `v1 Status`.
    func message(apiVersion: String, kind: String) -> Message? {
        if let name = kinds["\(apiVersion) \(kind)"] { return messages[name] }
        guard apiVersions.contains(apiVersion), let name = kinds["meta.k8s.io/v1 \(kind)"] else { return nil }
        return messages[name]
    }
}
