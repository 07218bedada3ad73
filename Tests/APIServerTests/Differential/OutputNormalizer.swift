import Foundation

/// Makes the output of one command comparable between two API servers: everything that differs
/// by nature between two runs — uids, timestamps, resourceVersions, ages, IP addresses, ports the
/// servers chose, temporary paths, tokens, the run's own name — becomes a placeholder, and table
/// padding (which follows the width of those values) is collapsed.
///
/// Pure, so its rules are tested without either server.
struct OutputNormalizer: Sendable {
    /// The run's identifier, which names its namespace and objects on both servers.
    var runID: String
    /// Whether names the controllers generate (`web-<pod-template-hash>-<suffix>`, Job pods'
    /// suffixes, ControllerRevision hashes) become placeholders, and the progress lines of
    /// `kubectl rollout status` (how many it saw on the way depends on timing) are dropped: the
    /// controllers session's rule, not the API session's.
    var generatedNames = false

    init(runID: String, generatedNames: Bool = false) {
        self.runID = runID
        self.generatedNames = generatedNames
    }

    /// One replacement rule: a pattern and its replacement, which may use `$1`…`$9`.
    private typealias Rule = (pattern: String, replacement: String)

    func normalize(_ text: String) -> String {
        var text = text.replacingOccurrences(of: runID, with: "RUN")
        // kubectl 1.32 against a 1.36 server; not a difference between the servers.
        text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("WARNING: version difference between client") }
            .joined(separator: "\n")
        // Compiled per call: `Regex` is not Sendable, and a run normalises only a few hundred outputs.
        if generatedNames {
            text = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("Waiting for ") }
                .joined(separator: "\n")
        }
        for rule in Self.rules + (generatedNames ? Self.generatedNameRules : []) {
            text = text.replacing(Self.regex(rule.pattern), with: rule.replacement)
        }
        // Padding inside a line follows the width of other values (and kube's messages have double
        // spaces of their own); indentation is meaningful.
        let padding = Self.regex(#" {2,}|\t+"#)
        let trailingBlanks = Self.regex(#"\s+$"#)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in
                let indentation = line.prefix { $0 == " " }
                let rest = line.dropFirst(indentation.count)
                return String(indentation) + rest.replacing(padding, with: " ").replacing(trailingBlanks, with: "")
            }
        return Self.sortingCauseLists(lines).joined(separator: "\n").trimmingCharacters(in: .newlines)
    }

    /// kubectl prints a 422's causes as `* field: message` lines in the order the server gave;
    /// kube-apiserver's schema validation walks Go maps, so its order changes from run to run.
    /// Each run of such lines is compared sorted.
    static func sortingCauseLists(_ lines: [String]) -> [String] {
        var out: [String] = []
        var run: [String] = []
        for line in lines {
            if line.hasPrefix("* ") {
                run.append(line)
                continue
            }
            out += run.sorted()
            run = []
            out.append(line)
        }
        return out + run.sorted()
    }

    // Each rule is applied in this order; later rules see earlier placeholders.
    private static let rules: [Rule] = [
        rule(#"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"#, "<jwt>"),
        rule(#"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, "<uid>"),
        rule(#"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?( ?(Z|[+-]\d{2}:?\d{2}))?( UTC)?"#, "<time>"),
        rule(#"https://(127\.0\.0\.1|localhost):\d+"#, "<server>"),
        rule(#"(resourceVersion\\?"?\s*:\s*\\?"?|resourceVersion=)\d+"#, "$1<rv>"),
        rule(#"(continue\\?"?\s*:\s*\\?"?|continue=)[A-Za-z0-9_=%-]{8,}"#, "$1<continue>"),
        rule(#"(remainingItemCount\\?"?\s*:\s*)\d+"#, "$1<n>"),
        rule(#"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b"#, "<ip>"),
        rule(#"(nodePort\\?"?\s*:\s*)3\d{4}"#, "$1<port>"),
        rule(#"(\d+):3\d{4}/(TCP|UDP|SCTP)"#, "$1:<port>/$2"),
        rule(#"/tmp/(LIVE|MERGED)-\d+"#, "/tmp/$1-<n>"),
        // Ages in tables: 0s, 12s, 3m4s, 2d1h, <invalid>.
        rule(#"(?m)(^|[\s(,"])(\d+[smhd]){1,2}(?=$|[\s),"])"#, "$1<age>"),
        rule(#"<invalid>"#, "<age>"),
    ]

    /// Generated names use apimachinery's alphabet for random strings (no vowels, no 0, 1, 3);
    /// pod-template-hash and ControllerRevision hashes are 8–10 of them, generateName suffixes 5.
    private static let generatedNameRules: [Rule] = [
        rule(#"\b([a-z][a-z0-9-]*?)-[bcdfghjklmnpqrstvwxz2456789]{8,10}-[bcdfghjklmnpqrstvwxz2456789]{5}\b"#, "$1-<hash>-<suffix>"),
        rule(#"\b([a-z][a-z0-9-]*?)-[bcdfghjklmnpqrstvwxz2456789]{8,10}\b"#, "$1-<hash>"),
        rule(#"(pod-template-hash|controller-revision-hash)(\\?"?[:=]\s*\\?"?)[a-z0-9-]*[bcdfghjklmnpqrstvwxz2456789]{8,10}\b"#, "$1$2<hash>"),
        rule(#"\b([a-z][a-z0-9-]*?)-[bcdfghjklmnpqrstvwxz2456789]{5}\b"#, "$1-<suffix>"),
    ]

    private static func rule(_ pattern: String, _ replacement: String) -> Rule {
        (pattern, replacement)
    }

    private static func regex(_ pattern: String) -> Regex<AnyRegexOutput> {
        // The patterns are literals of this file: a bad one is a programming error the tests catch.
        try! Regex(pattern)
    }
}

extension String {
    /// `replacing(_:with:)` where the replacement may refer to capture groups as `$1`…`$9`.
    fileprivate func replacing(_ pattern: Regex<AnyRegexOutput>, with template: String) -> String {
        guard template.contains("$") else { return replacing(pattern, with: { _ in template }) }
        return replacing(pattern) { match in
            var out = ""
            var characters = template.makeIterator()
            while let character = characters.next() {
                guard character == "$" else {
                    out.append(character)
                    continue
                }
                guard let digit = characters.next() else {
                    out.append(character)
                    break
                }
                if let index = digit.wholeNumberValue, index < match.output.count,
                   let substring = match.output[index].substring
                {
                    out += substring
                } else if digit.wholeNumberValue == nil {
                    out.append(character)
                    out.append(digit)
                }
            }
            return out
        }
    }
}
