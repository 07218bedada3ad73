import OrderedCollections
public import Resources

/// The RFC 6902 JSON patch that turns one JSON value into another, as a mutating admission
/// webhook answers (`patchType: JSONPatch`).
///
/// Objects are compared member by member (`add`, `remove`, `replace` per field); arrays and
/// values of different types are replaced whole, which keeps the patch correct without list
/// diffing.
///
/// ```swift
/// JSONPatchDiff.operations(from: ["a": 1], to: ["a": 2, "b": true])
/// // [{"op":"replace","path":"/a","value":2},{"op":"add","path":"/b","value":true}]
/// ```
public enum JSONPatchDiff {
    /// The operations, in order, that turn `original` into `mutated`; empty when they are equal.
    public static func operations(from original: JSONValue, to mutated: JSONValue) -> [JSONValue] {
        var out: [JSONValue] = []
        diff(original, mutated, pointer: "", into: &out)
        return out
    }

    private static func diff(_ original: JSONValue, _ mutated: JSONValue, pointer: String, into out: inout [JSONValue]) {
        guard original != mutated else { return }
        guard case .object(let before) = original, case .object(let after) = mutated else {
            out.append(["op": "replace", "path": .string(pointer), "value": mutated])
            return
        }
        for key in before.keys where after[key] == nil {
            out.append(["op": "remove", "path": .string(pointer + "/" + escaped(key))])
        }
        for (key, value) in after {
            let child = pointer + "/" + escaped(key)
            if let old = before[key] {
                diff(old, value, pointer: child, into: &out)
            } else {
                out.append(["op": "add", "path": .string(child), "value": value])
            }
        }
    }

    /// A member name as a JSON pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
    static func escaped(_ key: String) -> String {
        var out = ""
        for character in key {
            switch character {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.append(character)
            }
        }
        return out
    }
}
