import OrderedCollections
import OAM
import Resources

extension Diagnostic {
    /// The diagnostic as JSON for `-o json`.
    var json: JSONValue {
        var members: JSONObject = ["severity": .string(severity.rawValue)]
        if let object {
            var reference: JSONObject = ["kind": .string(object.kind), "name": .string(object.name)]
            if let namespace = object.namespace { reference["namespace"] = .string(namespace) }
            members["object"] = .object(reference)
        }
        if let path, !path.isEmpty { members["path"] = .string(path.description) }
        members["message"] = .string(message)
        if let location {
            if let file = location.file { members["file"] = .string(file) }
            members["line"] = .int(Int64(location.line))
            members["column"] = .int(Int64(location.column))
        }
        return .object(members)
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by file, line and column; diagnostics without a position last.
    var sortedByLocation: [Diagnostic] {
        enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case (let l?, let r?):
                if (l.file ?? "") != (r.file ?? "") { return (l.file ?? "") < (r.file ?? "") }
                if l.line != r.line { return l.line < r.line }
                if l.column != r.column { return l.column < r.column }
                return a.offset < b.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
    }
}
