import OrderedCollections

/// `JSONValue` is Codable so that typed structs can hold untyped parts (`properties`,
/// `parameterValues`, …) as they are.
///
/// With ``JSONValueDecoder`` and ``JSONValueEncoder`` the value is handed over as it is, in O(1).
/// With other coders (YAML, Foundation JSON) it is read and written through the generic
/// containers; member order then follows what that coder reports.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let ours = decoder as? JSONValueDecoderImpl {
            self = ours.value
            return
        }
        if let object = try? decoder.container(keyedBy: JSONMemberKey.self) {
            var members = JSONObject()
            for key in object.allKeys {
                members[key.stringValue] = try object.decode(JSONValue.self, forKey: key)
            }
            self = .object(members)
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            if let count = array.count { elements.reserveCapacity(count) }
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? single.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? single.decode(Double.self) {
            self = .double(d)
        } else if let s = try? single.decode(String.self) {
            self = .string(s)
        } else {
            throw DecodingError.dataCorruptedError(
                in: single, debugDescription: "expected a JSON value (null, boolean, number, string, array or object)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if let ours = encoder as? JSONValueEncoderImpl {
            ours.node = .value(self)
            return
        }
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let b):
            var single = encoder.singleValueContainer()
            try single.encode(b)
        case .int(let i):
            var single = encoder.singleValueContainer()
            try single.encode(i)
        case .double(let d):
            var single = encoder.singleValueContainer()
            try single.encode(d)
        case .string(let s):
            var single = encoder.singleValueContainer()
            try single.encode(s)
        case .array(let elements):
            var array = encoder.unkeyedContainer()
            for element in elements { try array.encode(element) }
        case .object(let members):
            var object = encoder.container(keyedBy: JSONMemberKey.self)
            for (key, value) in members { try object.encode(value, forKey: JSONMemberKey(key)) }
        }
    }
}
