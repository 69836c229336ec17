# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hivemind_global_optspecs
    string join \n o/output= data-dir= color= q/quiet v/verbose agent= all-agents agent-timeout= h/help V/version
end

function __fish_hivemind_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hivemind_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hivemind_using_subcommand
    set -l cmd (__fish_hivemind_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hivemind -n "__fish_hivemind_needs_command" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_needs_command" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_needs_command" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_needs_command" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_needs_command" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_needs_command" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_needs_command" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_needs_command" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_needs_command" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_needs_command" -f -a "observability" -d 'Metrics, tracing and logging configuration'
complete -c hivemind -n "__fish_hivemind_needs_command" -f -a "health" -d 'Health status, auto-healing, alert rules and alert channels'
complete -c hivemind -n "__fish_hivemind_needs_command" -f -a "profile" -d 'CPU, memory and network profiles of processes and containers, as pprof'
complete -c hivemind -n "__fish_hivemind_needs_command" -f -a "agent" -d 'Manage the remote agents this CLI talks to'
complete -c hivemind -n "__fish_hivemind_needs_command" -f -a "daemon" -d 'Run the agent: metrics, API and background work for this node'
complete -c hivemind -n "__fish_hivemind_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c hivemind -n "__fish_hivemind_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "configure-metrics" -d 'Configure where the agent serves Prometheus metrics'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "show-config" -d 'Show the current observability configuration'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "metrics" -d 'Show current metric values (all families, or one by name)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "configure-tracing" -d 'Export the agent\'s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "configure-logging" -d 'Ship the agent\'s structured log to Elasticsearch (the _bulk API)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "traces" -d 'Show the agent\'s recent traces, or the spans of one trace'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "logs" -d 'Show the agent\'s recent log records'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "import-dashboards" -d 'Import the five Grafana dashboards (or write them for file provisioning)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "open-dashboard" -d 'Open the Grafana dashboard, or the agent\'s built-in status page, in a browser'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "diagnose" -d 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and not __fish_seen_subcommand_from configure-metrics show-config metrics configure-tracing configure-logging traces logs import-dashboards open-dashboard diagnose help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -l port -d 'TCP port of the metrics listener (1-65535)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -l path -d 'HTTP path of the metrics endpoint, starting with \'/\'' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -l listen-address -d 'IP address the metrics listener binds to (127.0.0.1 by default)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-metrics" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from show-config" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from metrics" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l service-name -d 'The service.name on every span and log record' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l endpoint -d 'The OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l sample-ratio -d 'Share of the traces the agent starts that are exported, 0 to 1 (traces that callers started follow the caller\'s sampled flag)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l header -d 'An extra request header NAME=VALUE (repeatable; replaces the stored headers); values are stored as secrets' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l header-stdin -d 'Read the value of header NAME from stdin (keeps it out of `ps` and shell history)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l clear-headers -d 'Remove every stored header'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l enable -d 'Turn export on again after --disable'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l disable -d 'Stop exporting (the settings are kept)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-tracing" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l endpoint -d 'The Elasticsearch base URL, e.g. http://elasticsearch:9200' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l index -d 'The index (or data stream) to write to' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l level -d 'The least severe level shipped' -r -f -a "error\t''
warning\t''
info\t''
debug\t''
trace\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l username -d 'User for basic authentication' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l password -d 'Password for basic authentication (visible in `ps`: prefer --password-stdin)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l password-file -d 'Read the password from a file' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l api-key -d 'An Elasticsearch API key (base64 id:key; visible in `ps`: prefer --api-key-stdin)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l api-key-file -d 'Read the API key from a file' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l password-stdin -d 'Read the password from stdin'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l api-key-stdin -d 'Read the API key from stdin'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l enable -d 'Turn shipping on again after --disable'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l disable -d 'Stop shipping (the settings are kept)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from configure-logging" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -l limit -d 'At most this many traces, newest first' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from traces" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l level -d 'The least severe level shown' -r -f -a "error\t''
warning\t''
info\t''
debug\t''
trace\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l since -d 'Only records since a time (RFC 3339) or for a duration back from now (5m)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l text -d 'Only records whose message or metadata contains this text (any case)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l limit -d 'At most this many records (the newest)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Keep printing new records as they come (Ctrl-C stops)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l target -d 'Where to import' -r -f -a "grafana\t'Grafana\'s HTTP API'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l url -d 'Grafana\'s URL [default: the last one used, else http://127.0.0.1:3000]' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l folder -d 'The Grafana folder to import into (created when missing)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l output-dir -d 'Write the dashboards\' JSON into DIR for Grafana file provisioning instead' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l token-stdin -d 'Read a Grafana service-account token from stdin (stored as a secret for next time)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from import-dashboards" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -l print-url -d 'Print the URL instead of opening a browser'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -l status-page -d 'Open the agent\'s status page even when Grafana dashboards were imported'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from open-dashboard" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l component -d 'The pipeline to check' -r -f -a "all\t''
metrics\t''
tracing\t''
logging\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l prometheus -d 'Prometheus\'s URL: check that it scrapes this agent and the target is up' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l alertmanager -d 'Alertmanager\'s URL for --stack [default: http://127.0.0.1:9093]' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l grafana -d 'Grafana\'s URL for --stack [default: the import URL, else http://127.0.0.1:3000]' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l stack -d 'Also check the health endpoints of Prometheus, Alertmanager and Grafana'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from diagnose" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "configure-metrics" -d 'Configure where the agent serves Prometheus metrics'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "show-config" -d 'Show the current observability configuration'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "metrics" -d 'Show current metric values (all families, or one by name)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "configure-tracing" -d 'Export the agent\'s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "configure-logging" -d 'Ship the agent\'s structured log to Elasticsearch (the _bulk API)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "traces" -d 'Show the agent\'s recent traces, or the spans of one trace'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Show the agent\'s recent log records'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "import-dashboards" -d 'Import the five Grafana dashboards (or write them for file provisioning)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "open-dashboard" -d 'Open the Grafana dashboard, or the agent\'s built-in status page, in a browser'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "diagnose" -d 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)'
complete -c hivemind -n "__fish_hivemind_using_subcommand observability; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "status" -d 'Show this node\'s health: CPU, memory, swap, disks, load, processes'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "configure-auto-healing" -d 'Configure the restart budget for unhealthy targets'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "create-alert-rule" -d 'Create an alert rule (or several from a YAML file)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "list-alert-rules" -d 'List alert rules'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "delete-alert-rule" -d 'Delete an alert rule'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "configure-alert-channel" -d 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "list-alert-channels" -d 'List alert channels (secrets are shown as <secret>)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "delete-alert-channel" -d 'Delete an alert channel and its stored secrets'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "create-check" -d 'Create a health check (HTTP, TCP, command or gRPC)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "list-checks" -d 'List health checks'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "delete-check" -d 'Delete a health check'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "run-check" -d 'Run a health check once, now (exit 0 healthy, 1 unhealthy)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "alerts" -d 'List alerts: pending and firing by default, from the agent\'s continuous evaluation'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "test-alert-channel" -d 'Send a clearly marked test notification through the real delivery path'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "export-rules" -d 'Write the alert rules as a Prometheus rule file (YAML)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "export-alertmanager-config" -d 'Write the alert channels as an Alertmanager configuration (YAML)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and not __fish_seen_subcommand_from status configure-auto-healing create-alert-rule list-alert-rules delete-alert-rule configure-alert-channel list-alert-channels delete-alert-channel create-check list-checks delete-check run-check alerts test-alert-channel export-rules export-alertmanager-config help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l timeout -d 'How long --wait-healthy waits' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l max-cpu -d 'Unhealthy above this CPU use, percent of all CPUs' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l max-memory -d 'Unhealthy above this memory use (total minus available), percent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l max-swap -d 'Unhealthy above this swap use, percent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l max-disk -d 'Unhealthy above this use of any file system, percent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l max-load -d 'Unhealthy above this five-minute load average per CPU' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l watch -d 'Refresh the report every 2 s (in place on a terminal) until Ctrl-C'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l wait-healthy -d 'Poll until everything is healthy (exit 0) or --timeout passes (exit 1)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -l enabled -d 'Turn auto-healing on or off (`--enabled`, `--enabled true`, `--enabled=false`)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -l max-restarts -d 'Restarts allowed per target before giving up (1-1000)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -l restart-interval -d 'Minimum gap between restarts of one target: seconds (60) or a duration (1m)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-auto-healing" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l name -d 'Rule name (becomes the Prometheus alertname): letters, digits, \'_\'' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l metric -d 'The metric to watch, e.g. hivemind_node_cpu_usage' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l threshold -d 'The value the metric is compared against' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l duration -d 'How long the condition must hold before the alert fires (e.g. 5m; 0s fires at once)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l severity -d 'How urgent the alert is' -r -f -a "critical\t''
warning\t''
info\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l comparison -d 'How the metric is compared with the threshold' -r -f -a "gt\t''
ge\t''
lt\t''
le\t''
eq\t''
ne\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l description -d 'What the alert means, for the people who receive it' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l label -d 'Select series by label: name=value, name!=value, name=~regex, name!~regex (repeatable)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l file -d 'Read one or many rules from a YAML file (\'-\' for stdin) in the seed\'s rule format' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l replace -d 'Replace rules that already exist instead of failing'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-alert-rule" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-rules" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -l name -d 'Name of the rule to delete' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-rule" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l type -d 'Channel type' -r -f -a "slack\t''
email\t''
webhook\t''
pagerduty\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l name -d 'Channel name [default: the type]' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l webhook-url -d 'slack: incoming-webhook URL (a secret: prefer --webhook-url-stdin or --webhook-url-file)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l webhook-url-file -d 'slack: read the webhook URL from a file' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l smtp-server -d 'email: SMTP server host name' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l smtp-port -d 'email: SMTP port [default: 587]' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l smtp-user -d 'email: SMTP user name' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l smtp-password -d 'email: SMTP password (a secret: prefer --smtp-password-stdin or --smtp-password-file)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l smtp-password-file -d 'email: read the SMTP password from a file' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l from -d 'email: sender address' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l to -d 'email: recipient address (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l url -d 'webhook: URL that receives Alertmanager-compatible JSON; pagerduty: Events API v2 endpoint [default: https://events.pagerduty.com/v2/enqueue]' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l routing-key -d 'pagerduty: Events API v2 routing key (a secret: prefer --routing-key-stdin or --routing-key-file)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l routing-key-file -d 'pagerduty: read the routing key from a file' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l webhook-url-stdin -d 'slack: read the webhook URL from stdin'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l smtp-password-stdin -d 'email: read the SMTP password from stdin'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l routing-key-stdin -d 'pagerduty: read the routing key from stdin'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from configure-alert-channel" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-alert-channels" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -l name -d 'Name of the channel to delete' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-alert-channel" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l name -d 'Check name' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l type -d 'What to probe' -r -f -a "http\t''
tcp\t''
command\t''
grpc\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l interval -d 'How often the check runs (at least 1s)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l timeout -d 'How long one run may take (less than the interval)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l failure-threshold -d 'Consecutive failures that make the target unhealthy (1-100)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l success-threshold -d 'Consecutive successes that make it healthy again (1-100)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l start-period -d 'Failures in this time after the check (or a restart) starts do not count' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l url -d 'http: the URL to GET' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l expect-status -d 'http: accepted status codes, e.g. 200,204 or 2xx or 200-399 [default: 2xx]' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l body-contains -d 'http: the body must contain this text' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l body-regex -d 'http: the body must match this regular expression' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l json-pointer -d 'http: the JSON body\'s value at POINTER must equal VALUE, e.g. /status=ok' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l header -d 'http: a request header \'Name: value\' (repeatable)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l ca-cert -d 'http, grpc: PEM file of a CA to trust' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l address -d 'tcp, grpc: host:port to connect to' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l command -d 'command: the program and each argument, one per flag (or everything after `--`)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l grpc-service -d 'grpc: the service name to ask about (empty: the server as a whole)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l restart-command -d 'Program and arguments that restart the target when auto-healing is on, one per flag' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l insecure-skip-verify -d 'http: accept any TLS certificate (unsafe; for testing only)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l tls -d 'grpc: connect with TLS'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l replace -d 'Replace a check that already exists instead of failing'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from create-check" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from list-checks" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -l name -d 'Name of the check' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from delete-check" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -l name -d 'Name of the check' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from run-check" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -l state -d 'Only alerts in these states (repeatable or comma-separated) [default: pending,firing]' -r -f -a "pending\t'The condition holds, but not yet for the rule\'s `for` duration'
firing\t'The condition has held for the rule\'s `for` duration'
resolved\t'It was firing and the condition no longer holds (kept for 15 minutes)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -l fail-if-firing -d 'Exit with 1 when any alert shown is firing (for CI gates)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from alerts" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -l name -d 'Name of the channel to send a test notification to' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from test-alert-channel" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -l output -d 'Write the rule file here (atomically, mode 0644) instead of to stdout; the format is always YAML' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -s o -d 'yaml, the only format of a rule file (`--output` names the file here)' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-rules" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l output -d 'Write the configuration here (atomically) instead of to stdout; the format is always YAML' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -s o -d 'yaml, the only format of an Alertmanager configuration (`--output` names the file here)' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l secrets-dir -d 'Write each channel secret into DIR (mode 0600, as <channel>.<field>) and reference those files [default: reference secrets/<channel>.<field> next to the configuration, without writing them]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l group-wait -d 'Alertmanager\'s group_wait: how long a new group waits for more alerts' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l group-interval -d 'Alertmanager\'s group_interval: the wait before notifying about changes to a group' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l repeat-interval -d 'Alertmanager\'s repeat_interval: the wait before repeating a notification' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l inline-secrets -d 'Put secret values into the configuration itself (the file is then mode 0600); only from this machine\'s state, never from an agent'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from export-alertmanager-config" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show this node\'s health: CPU, memory, swap, disks, load, processes'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "configure-auto-healing" -d 'Configure the restart budget for unhealthy targets'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "create-alert-rule" -d 'Create an alert rule (or several from a YAML file)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "list-alert-rules" -d 'List alert rules'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "delete-alert-rule" -d 'Delete an alert rule'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "configure-alert-channel" -d 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "list-alert-channels" -d 'List alert channels (secrets are shown as <secret>)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "delete-alert-channel" -d 'Delete an alert channel and its stored secrets'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "create-check" -d 'Create a health check (HTTP, TCP, command or gRPC)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "list-checks" -d 'List health checks'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "delete-check" -d 'Delete a health check'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "run-check" -d 'Run a health check once, now (exit 0 healthy, 1 unhealthy)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "alerts" -d 'List alerts: pending and firing by default, from the agent\'s continuous evaluation'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "test-alert-channel" -d 'Send a clearly marked test notification through the real delivery path'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "export-rules" -d 'Write the alert rules as a Prometheus rule file (YAML)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "export-alertmanager-config" -d 'Write the alert channels as an Alertmanager configuration (YAML)'
complete -c hivemind -n "__fish_hivemind_using_subcommand health; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -f -a "cpu" -d 'Sample CPU call stacks of processes, a container or the agent'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -f -a "memory" -d 'Resident memory by mapping, or a Go service\'s heap profile'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -f -a "network" -d 'Bytes and segments per TCP connection, and per interface, over a window'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and not __fish_seen_subcommand_from cpu memory network help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l pid -d 'Profile this process, every thread of it (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l container -d 'Profile every process of this container: id, id prefix, name or systemd unit' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l duration -d 'How long to sample (1s to 10m)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l frequency -d 'Samples per second per thread (1 to 1000)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l output -d 'Write the profile here (\'-\' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -s o -d 'Format of the summary on stdout (`--output` names the profile\'s file here)' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l format -d 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph' -r -f -a "pprof\t'Gzipped pprof profile.proto (`go tool pprof`)'
flamegraph\t'An SVG flame graph of the default sample type'"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l daemon -d 'Profile the agent itself (with --agent, or the daemon running on this data directory)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l coarse -d 'Per-thread CPU times from /proc instead of call stacks (no perf events needed)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l force -d 'Replace --output if it exists'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from cpu" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l pid -d 'Profile this process, every thread of it (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l container -d 'Profile every process of this container: id, id prefix, name or systemd unit' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l url -d 'Fetch a Go service\'s heap profile from this URL (http://HOST:PORT/debug/pprof/heap)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l output -d 'Write the profile here (\'-\' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -s o -d 'Format of the summary on stdout (`--output` names the profile\'s file here)' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l format -d 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph' -r -f -a "pprof\t'Gzipped pprof profile.proto (`go tool pprof`)'
flamegraph\t'An SVG flame graph of the default sample type'"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l daemon -d 'Profile the agent itself (with --agent, or the daemon running on this data directory)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l force -d 'Replace --output if it exists'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from memory" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l pid -d 'Profile this process, every thread of it (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l container -d 'Profile every process of this container: id, id prefix, name or systemd unit' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l duration -d 'How long to watch (1s to 10m)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l output -d 'Write the profile here (\'-\' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -s o -d 'Format of the summary on stdout (`--output` names the profile\'s file here)' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l format -d 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph' -r -f -a "pprof\t'Gzipped pprof profile.proto (`go tool pprof`)'
flamegraph\t'An SVG flame graph of the default sample type'"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l daemon -d 'Profile the agent itself (with --agent, or the daemon running on this data directory)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l force -d 'Replace --output if it exists'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from network" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "cpu" -d 'Sample CPU call stacks of processes, a container or the agent'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "memory" -d 'Resident memory by mapping, or a Go service\'s heap profile'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "network" -d 'Bytes and segments per TCP connection, and per interface, over a window'
complete -c hivemind -n "__fish_hivemind_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -f -a "add" -d 'Add (or replace) an agent'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -f -a "list" -d 'List the agents in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -f -a "remove" -d 'Remove an agent and its stored token'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -f -a "use" -d 'Make an agent the default target of every command (or go back to this machine)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -f -a "ping" -d 'Check that agents answer, and how fast (all agents when none is named)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and not __fish_seen_subcommand_from add list remove use ping help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l url -d 'The agent\'s API URL, e.g. https://node1.example.com:9470' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l token-file -d 'Read the agent\'s token from a file' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l token -d 'The agent\'s token (visible in `ps` and shell history: prefer --token-stdin)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l ca-cert -d 'PEM file of the CA that signed the agent\'s certificate (for self-signed agents)' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l token-stdin -d 'Read the agent\'s token from stdin (print it on the agent with `hivemind daemon token`)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -l none -d 'Use no default agent: commands act on this machine again'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from use" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from ping" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add (or replace) an agent'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the agents in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove an agent and its stored token'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "use" -d 'Make an agent the default target of every command (or go back to this machine)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "ping" -d 'Check that agents answer, and how fast (all agents when none is named)'
complete -c hivemind -n "__fish_hivemind_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l listen -d 'Address of the API listener (non-loopback addresses need --tls-cert and --tls-key)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l tls-cert -d 'PEM certificate chain for HTTPS on the API listener' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l tls-key -d 'PEM private key for HTTPS on the API listener' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l collect-interval -d 'How often node and container metrics are collected and alert rules evaluated (scrapes serve the latest collection)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l repeat-interval -d 'Notify again after this long while an alert keeps firing' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l notification-queue -d 'Notifications that may wait per alert channel; further ones are dropped and counted' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l max-connections -d 'Client connections served at once across the API, local-socket and metrics listeners (lowered to fit the open-file limit); when full, the longest-idle one is closed for a new one' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l allow-remote-exec -d 'Accept command checks and restart commands over the network API (they run programs on this node); the local CLI on this machine may always configure them'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l allow-private-destinations -d 'Let alert notifications reach private and loopback addresses (refused by default, so that API clients cannot make the agent reach internal services)'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -f -a "token" -d 'Print the agent\'s API token (created on the daemon\'s first start)'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and not __fish_seen_subcommand_from token help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -l rotate -d 'Replace the token with a new one (running daemons pick it up on restart)'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from help" -f -a "token" -d 'Print the agent\'s API token (created on the daemon\'s first start)'
complete -c hivemind -n "__fish_hivemind_using_subcommand daemon; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -s o -l output -d 'Output format: table for people, json or yaml for scripts' -r -f -a "table\t'Human-readable tables'
json\t'JSON (documented, stable field names)'
yaml\t'YAML (same structure as JSON)'"
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -l data-dir -d 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]' -r -F
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -l color -d 'When to use colour (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`'
always\t''
never\t''"
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -l agent -d 'Run on these agents instead of this machine (repeatable or comma-separated)' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -l agent-timeout -d 'How long to wait for each agent' -r
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -s q -l quiet -d 'Print only data and errors; no status messages'
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -l all-agents -d 'Run on every agent in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hivemind -n "__fish_hivemind_using_subcommand completions" -s V -l version -d 'Print version'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and not __fish_seen_subcommand_from observability health profile agent daemon completions help" -f -a "observability" -d 'Metrics, tracing and logging configuration'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and not __fish_seen_subcommand_from observability health profile agent daemon completions help" -f -a "health" -d 'Health status, auto-healing, alert rules and alert channels'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and not __fish_seen_subcommand_from observability health profile agent daemon completions help" -f -a "profile" -d 'CPU, memory and network profiles of processes and containers, as pprof'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and not __fish_seen_subcommand_from observability health profile agent daemon completions help" -f -a "agent" -d 'Manage the remote agents this CLI talks to'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and not __fish_seen_subcommand_from observability health profile agent daemon completions help" -f -a "daemon" -d 'Run the agent: metrics, API and background work for this node'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and not __fish_seen_subcommand_from observability health profile agent daemon completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and not __fish_seen_subcommand_from observability health profile agent daemon completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "configure-metrics" -d 'Configure where the agent serves Prometheus metrics'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "show-config" -d 'Show the current observability configuration'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "metrics" -d 'Show current metric values (all families, or one by name)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "configure-tracing" -d 'Export the agent\'s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "configure-logging" -d 'Ship the agent\'s structured log to Elasticsearch (the _bulk API)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "traces" -d 'Show the agent\'s recent traces, or the spans of one trace'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "logs" -d 'Show the agent\'s recent log records'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "import-dashboards" -d 'Import the five Grafana dashboards (or write them for file provisioning)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "open-dashboard" -d 'Open the Grafana dashboard, or the agent\'s built-in status page, in a browser'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from observability" -f -a "diagnose" -d 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "status" -d 'Show this node\'s health: CPU, memory, swap, disks, load, processes'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "configure-auto-healing" -d 'Configure the restart budget for unhealthy targets'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "create-alert-rule" -d 'Create an alert rule (or several from a YAML file)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "list-alert-rules" -d 'List alert rules'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "delete-alert-rule" -d 'Delete an alert rule'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "configure-alert-channel" -d 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "list-alert-channels" -d 'List alert channels (secrets are shown as <secret>)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "delete-alert-channel" -d 'Delete an alert channel and its stored secrets'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "create-check" -d 'Create a health check (HTTP, TCP, command or gRPC)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "list-checks" -d 'List health checks'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "delete-check" -d 'Delete a health check'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "run-check" -d 'Run a health check once, now (exit 0 healthy, 1 unhealthy)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "alerts" -d 'List alerts: pending and firing by default, from the agent\'s continuous evaluation'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "test-alert-channel" -d 'Send a clearly marked test notification through the real delivery path'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "export-rules" -d 'Write the alert rules as a Prometheus rule file (YAML)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from health" -f -a "export-alertmanager-config" -d 'Write the alert channels as an Alertmanager configuration (YAML)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "cpu" -d 'Sample CPU call stacks of processes, a container or the agent'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "memory" -d 'Resident memory by mapping, or a Go service\'s heap profile'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "network" -d 'Bytes and segments per TCP connection, and per interface, over a window'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "add" -d 'Add (or replace) an agent'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "list" -d 'List the agents in the inventory'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "remove" -d 'Remove an agent and its stored token'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "use" -d 'Make an agent the default target of every command (or go back to this machine)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "ping" -d 'Check that agents answer, and how fast (all agents when none is named)'
complete -c hivemind -n "__fish_hivemind_using_subcommand help; and __fish_seen_subcommand_from daemon" -f -a "token" -d 'Print the agent\'s API token (created on the daemon\'s first start)'
