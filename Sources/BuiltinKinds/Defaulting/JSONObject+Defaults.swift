import OrderedCollections
import Resources

/// The small editing steps defaulting is made of, with Go's notion of "unset": a missing member,
/// `null`, or (for strings) the empty string.
extension OrderedDictionary where Key == String, Value == JSONValue {
    /// Sets `key` to `value` when it is missing or `null` (a Go pointer or slice left nil).
    mutating func setDefault(_ key: String, _ value: JSONValue) {
        if let present = self[key], !present.isNull { return }
        self[key] = value
    }

    /// Sets `key` to `value` when it is missing, `null` or `""` (a Go string left empty).
    mutating func setDefaultString(_ key: String, _ value: String) {
        if let present = self[key], !present.isNull, present != "" { return }
        self[key] = .string(value)
    }

    /// Edits the object under `key` in place when there is one; nothing when it is missing or not
    /// an object.
    mutating func editObject(_ key: String, _ body: (inout JSONObject) -> Void) {
        guard case .object = self[key] else { return }
        withObject(key, body)
    }

    /// Edits every object element of the array under `key` in place.
    mutating func editEachObject(in key: String, _ body: (inout JSONObject) -> Void) {
        guard let index = index(forKey: key), case .array(var elements) = values[index] else { return }
        values[index] = .null
        for position in elements.indices {
            guard case .object(var members) = elements[position] else { continue }
            elements[position] = .null
            body(&members)
            elements[position] = .object(members)
        }
        values[index] = .array(elements)
    }
}
