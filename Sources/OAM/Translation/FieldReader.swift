import OrderedCollections
import Resources

/// Reads typed fields of one JSON object of a ContainerizedWorkload, turning a missing required
/// field or a value of the wrong type into a ``TranslationError`` that names the field's path.
///
/// A member set to `null` counts as absent, as it does when Kubernetes decodes an object.
struct FieldReader {
    /// The object's members.
    var members: JSONObject
    /// Where the object is in the ContainerizedWorkload.
    var path: FieldPath

    init(members: JSONObject, path: FieldPath) {
        self.members = members
        self.path = path
    }

    /// Reads `value`, which must be an object.
    init(_ value: JSONValue, at path: FieldPath) throws(TranslationError) {
        guard case .object(let members) = value else {
            throw .wrongType(path, expected: "an object", found: value)
        }
        self.members = members
        self.path = path
    }

    /// The path of member `key`.
    func path(_ key: String) -> FieldPath { path.appending(key) }

    /// Member `key`, or `nil` when it is missing or `null`.
    func present(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    func string(_ key: String) throws(TranslationError) -> String? {
        guard let value = present(key) else { return nil }
        guard let string = value.stringValue else {
            throw .wrongType(path(key), expected: "a string", found: value)
        }
        return string
    }

    func requiredString(_ key: String) throws(TranslationError) -> String {
        guard let string = try string(key) else { throw .missing(path(key)) }
        return string
    }

    /// A 32-bit integer, as the Go types of the ContainerizedWorkload declare (`int32`).
    func int32(_ key: String) throws(TranslationError) -> Int64? {
        guard let value = present(key) else { return nil }
        guard let integer = value.intValue else {
            throw .wrongType(path(key), expected: "an integer", found: value)
        }
        guard Int64(Int32.min)...Int64(Int32.max) ~= integer else {
            throw TranslationError(path: path(key), message: "\(integer) does not fit in 32 bits")
        }
        return integer
    }

    func requiredInt32(_ key: String) throws(TranslationError) -> Int64 {
        guard let integer = try int32(key) else { throw .missing(path(key)) }
        return integer
    }

    /// A Kubernetes quantity (`"500m"`, `"1Gi"`, `2`): a string or a number, returned as written.
    func quantity(_ key: String) throws(TranslationError) -> JSONValue? {
        guard let value = present(key) else { return nil }
        switch value {
        case .string, .int, .double: return value
        default: throw .wrongType(path(key), expected: "a quantity (a string or a number)", found: value)
        }
    }

    func object(_ key: String) throws(TranslationError) -> FieldReader? {
        guard let value = present(key) else { return nil }
        return try FieldReader(value, at: path(key))
    }

    func requiredObject(_ key: String) throws(TranslationError) -> FieldReader {
        guard let reader = try object(key) else { throw .missing(path(key)) }
        return reader
    }

    /// The elements of array `key`, each with its path; `nil` when the member is absent.
    func array(_ key: String) throws(TranslationError) -> [(value: JSONValue, path: FieldPath)]? {
        guard let value = present(key) else { return nil }
        guard let elements = value.arrayValue else {
            throw .wrongType(path(key), expected: "an array", found: value)
        }
        let arrayPath = path(key)
        return elements.enumerated().map { (value: $1, path: arrayPath.appending(index: $0)) }
    }

    /// The elements of array `key`, each of which must be an object.
    func objects(_ key: String) throws(TranslationError) -> [FieldReader]? {
        guard let elements = try array(key) else { return nil }
        var readers: [FieldReader] = []
        readers.reserveCapacity(elements.count)
        for element in elements {
            readers.append(try FieldReader(element.value, at: element.path))
        }
        return readers
    }

    /// The elements of array `key`, each of which must be a string.
    func strings(_ key: String) throws(TranslationError) -> [String]? {
        guard let elements = try array(key) else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard let string = element.value.stringValue else {
                throw .wrongType(element.path, expected: "a string", found: element.value)
            }
            strings.append(string)
        }
        return strings
    }
}
