complete --keep-order --exclusive --command hivemind --arguments "(COMPLETE=fish hivemind -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
