import Yams

/// Turns Yams' errors into one-line ``DecodeError``s with the right position.
struct YamlErrorTranslator {
    let text: String
    let file: String?

    func translate(_ error: YamlError) -> DecodeError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = problem
            if let context {
                message = "\(context.text) (started at line \(context.mark.line), column \(context.mark.column)): "
                    + problem
            }
            if problem == "found character that cannot start any token", character(at: mark) == "\t" {
                message += " (tabs cannot be used for indentation)"
            }
            return DecodeError(location: location(mark), message: message)
        case .reader(let problem, let offset, let value, _):
            var message = problem
            if value >= 0 { message += " (#x\(String(value, radix: 16, uppercase: true)))" }
            return DecodeError(location: location(characterOffset: offset ?? 0), message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams names the first occurrence; users need the second, which is the mistake.
            let key = duplicates.first ?? ""
            let second = secondOccurrence(of: key, first: context.mark) ?? context.mark
            return DecodeError(location: location(second), message: "duplicate key \(quoted(key))")
        case .memory:
            return DecodeError(location: SourceLocation(file: file, line: 1, column: 1), message: "out of memory while parsing")
        default:
            return DecodeError(location: SourceLocation(file: file, line: 1, column: 1), message: "\(error)")
        }
    }

    private func location(_ mark: Mark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    /// The line and column of the `offset`th character.
    private func location(characterOffset offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    /// The index of the scalar at a 1-based line and column, counting lines as libyaml does.
    private func scalarIndex(at mark: Mark) -> String.UnicodeScalarView.Index? {
        let scalars = text.unicodeScalars
        var line = 1
        var column = 1
        var index = scalars.startIndex
        while index < scalars.endIndex {
            if line == mark.line && column == mark.column { return index }
            let scalar = scalars[index]
            scalars.formIndex(after: &index)
            switch scalar {
            case "\r":
                if index < scalars.endIndex, scalars[index] == "\n" { scalars.formIndex(after: &index) }
                line += 1
                column = 1
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                line += 1
                column = 1
            default:
                column += 1
            }
            if line > mark.line { return nil }
        }
        return nil
    }

    private func character(at mark: Mark) -> Unicode.Scalar? {
        scalarIndex(at: mark).map { text.unicodeScalars[$0] }
    }

    /// Where `key` occurs again in the mapping whose key at `first` it duplicates.
    ///
    /// Yams checks duplicates before handing out any node, so the text is parsed once more with
    /// one character of the first occurrence replaced (same length, so positions do not move);
    /// then either the mapping parses and holds the other occurrence, or Yams reports the next
    /// pair of duplicates, whose first is our second.
    private func secondOccurrence(of key: String, first: Mark) -> Mark? {
        guard var index = scalarIndex(at: first) else { return nil }
        var scalars = text.unicodeScalars
        if scalars[index] == "\"" || scalars[index] == "'" { scalars.formIndex(after: &index) }
        guard index < scalars.endIndex, scalars[index] != "\\", scalars[index] != "\"", scalars[index] != "'",
            !scalars[index].properties.isWhitespace
        else { return nil }
        scalars.replaceSubrange(index...index, with: CollectionOfOne("\u{E000}"))
        let changed = String(scalars)
        do {
            let parser = try Parser(yaml: changed, resolver: .basic, constructor: .default, encoding: .utf8)
            while let root = try parser.nextRoot() {
                if let mark = Self.find(key, besideKeyAt: first, in: root) { return mark }
            }
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            if duplicates.first == key, context.mark.line != first.line || context.mark.column != first.column {
                return context.mark
            }
        } catch {
            return nil
        }
        return nil
    }

    private static func find(_ key: String, besideKeyAt first: Mark, in node: Node) -> Mark? {
        switch node {
        case .mapping(let mapping):
            let holdsFirst = mapping.keys.contains { $0.mark?.line == first.line && $0.mark?.column == first.column }
            if holdsFirst, let other = mapping.keys.first(where: { $0.string == key && $0.mark?.line != nil }) {
                return other.mark
            }
            for (_, value) in mapping {
                if let found = find(key, besideKeyAt: first, in: value) { return found }
            }
            for keyNode in mapping.keys {
                if let found = find(key, besideKeyAt: first, in: keyNode) { return found }
            }
            return nil
        case .sequence(let sequence):
            for element in sequence {
                if let found = find(key, besideKeyAt: first, in: element) { return found }
            }
            return nil
        case .scalar, .alias:
            return nil
        }
    }
}
