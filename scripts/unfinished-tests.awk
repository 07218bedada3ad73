# Reads Swift Testing's console output; prints the tests that started but neither passed nor
# failed (a hung run's culprits).
/Test case passing/ || /recorded an issue/ || /Test run / { next }
/◇ Test .* started\.$/ {
    name = $0; sub(/^.*◇ Test /, "", name); sub(/ started\.$/, "", name)
    running[name] = 1; next
}
/[✔✘] Test .* (passed|failed)/ {
    name = $0; sub(/^.*[✔✘] Test /, "", name)
    sub(/ (with [0-9]+ test cases? )?(passed|failed)( after .*)?$/, "", name)
    delete running[name]
}
END { for (name in running) print "  " name }
