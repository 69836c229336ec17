
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hivemind' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hivemind'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hivemind' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('observability', 'observability', [CompletionResultType]::ParameterValue, 'Metrics, tracing and logging configuration')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Health status, auto-healing, alert rules and alert channels')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'CPU, memory and network profiles of processes and containers, as pprof')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Manage the remote agents this CLI talks to')
            [CompletionResult]::new('daemon', 'daemon', [CompletionResultType]::ParameterValue, 'Run the agent: metrics, API and background work for this node')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;observability' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('configure-metrics', 'configure-metrics', [CompletionResultType]::ParameterValue, 'Configure where the agent serves Prometheus metrics')
            [CompletionResult]::new('show-config', 'show-config', [CompletionResultType]::ParameterValue, 'Show the current observability configuration')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Show current metric values (all families, or one by name)')
            [CompletionResult]::new('configure-tracing', 'configure-tracing', [CompletionResultType]::ParameterValue, 'Export the agent''s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)')
            [CompletionResult]::new('configure-logging', 'configure-logging', [CompletionResultType]::ParameterValue, 'Ship the agent''s structured log to Elasticsearch (the _bulk API)')
            [CompletionResult]::new('traces', 'traces', [CompletionResultType]::ParameterValue, 'Show the agent''s recent traces, or the spans of one trace')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the agent''s recent log records')
            [CompletionResult]::new('import-dashboards', 'import-dashboards', [CompletionResultType]::ParameterValue, 'Import the five Grafana dashboards (or write them for file provisioning)')
            [CompletionResult]::new('open-dashboard', 'open-dashboard', [CompletionResultType]::ParameterValue, 'Open the Grafana dashboard, or the agent''s built-in status page, in a browser')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;observability;configure-metrics' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'TCP port of the metrics listener (1-65535)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'HTTP path of the metrics endpoint, starting with ''/''')
            [CompletionResult]::new('--listen-address', '--listen-address', [CompletionResultType]::ParameterName, 'IP address the metrics listener binds to (127.0.0.1 by default)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;show-config' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;metrics' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;configure-tracing' {
            [CompletionResult]::new('--service-name', '--service-name', [CompletionResultType]::ParameterName, 'The service.name on every span and log record')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces')
            [CompletionResult]::new('--sample-ratio', '--sample-ratio', [CompletionResultType]::ParameterName, 'Share of the traces the agent starts that are exported, 0 to 1 (traces that callers started follow the caller''s sampled flag)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'An extra request header NAME=VALUE (repeatable; replaces the stored headers); values are stored as secrets')
            [CompletionResult]::new('--header-stdin', '--header-stdin', [CompletionResultType]::ParameterName, 'Read the value of header NAME from stdin (keeps it out of `ps` and shell history)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--clear-headers', '--clear-headers', [CompletionResultType]::ParameterName, 'Remove every stored header')
            [CompletionResult]::new('--enable', '--enable', [CompletionResultType]::ParameterName, 'Turn export on again after --disable')
            [CompletionResult]::new('--disable', '--disable', [CompletionResultType]::ParameterName, 'Stop exporting (the settings are kept)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;configure-logging' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'The Elasticsearch base URL, e.g. http://elasticsearch:9200')
            [CompletionResult]::new('--index', '--index', [CompletionResultType]::ParameterName, 'The index (or data stream) to write to')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'The least severe level shipped')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'User for basic authentication')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password for basic authentication (visible in `ps`: prefer --password-stdin)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from a file')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'An Elasticsearch API key (base64 id:key; visible in `ps`: prefer --api-key-stdin)')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from a file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from stdin')
            [CompletionResult]::new('--api-key-stdin', '--api-key-stdin', [CompletionResultType]::ParameterName, 'Read the API key from stdin')
            [CompletionResult]::new('--enable', '--enable', [CompletionResultType]::ParameterName, 'Turn shipping on again after --disable')
            [CompletionResult]::new('--disable', '--disable', [CompletionResultType]::ParameterName, 'Stop shipping (the settings are kept)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;traces' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many traces, newest first')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;logs' {
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'The least severe level shown')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only records since a time (RFC 3339) or for a duration back from now (5m)')
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'Only records whose message or metadata contains this text (any case)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many records (the newest)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing new records as they come (Ctrl-C stops)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing new records as they come (Ctrl-C stops)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;import-dashboards' {
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Where to import')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Grafana''s URL [default: the last one used, else http://127.0.0.1:3000]')
            [CompletionResult]::new('--folder', '--folder', [CompletionResultType]::ParameterName, 'The Grafana folder to import into (created when missing)')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Write the dashboards'' JSON into DIR for Grafana file provisioning instead')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read a Grafana service-account token from stdin (stored as a secret for next time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;open-dashboard' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--print-url', '--print-url', [CompletionResultType]::ParameterName, 'Print the URL instead of opening a browser')
            [CompletionResult]::new('--status-page', '--status-page', [CompletionResultType]::ParameterName, 'Open the agent''s status page even when Grafana dashboards were imported')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;diagnose' {
            [CompletionResult]::new('--component', '--component', [CompletionResultType]::ParameterName, 'The pipeline to check')
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Prometheus''s URL: check that it scrapes this agent and the target is up')
            [CompletionResult]::new('--alertmanager', '--alertmanager', [CompletionResultType]::ParameterName, 'Alertmanager''s URL for --stack [default: http://127.0.0.1:9093]')
            [CompletionResult]::new('--grafana', '--grafana', [CompletionResultType]::ParameterName, 'Grafana''s URL for --stack [default: the import URL, else http://127.0.0.1:3000]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'Also check the health endpoints of Prometheus, Alertmanager and Grafana')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;observability;help' {
            [CompletionResult]::new('configure-metrics', 'configure-metrics', [CompletionResultType]::ParameterValue, 'Configure where the agent serves Prometheus metrics')
            [CompletionResult]::new('show-config', 'show-config', [CompletionResultType]::ParameterValue, 'Show the current observability configuration')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Show current metric values (all families, or one by name)')
            [CompletionResult]::new('configure-tracing', 'configure-tracing', [CompletionResultType]::ParameterValue, 'Export the agent''s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)')
            [CompletionResult]::new('configure-logging', 'configure-logging', [CompletionResultType]::ParameterValue, 'Ship the agent''s structured log to Elasticsearch (the _bulk API)')
            [CompletionResult]::new('traces', 'traces', [CompletionResultType]::ParameterValue, 'Show the agent''s recent traces, or the spans of one trace')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the agent''s recent log records')
            [CompletionResult]::new('import-dashboards', 'import-dashboards', [CompletionResultType]::ParameterValue, 'Import the five Grafana dashboards (or write them for file provisioning)')
            [CompletionResult]::new('open-dashboard', 'open-dashboard', [CompletionResultType]::ParameterValue, 'Open the Grafana dashboard, or the agent''s built-in status page, in a browser')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;observability;help;configure-metrics' {
            break
        }
        'hivemind;observability;help;show-config' {
            break
        }
        'hivemind;observability;help;metrics' {
            break
        }
        'hivemind;observability;help;configure-tracing' {
            break
        }
        'hivemind;observability;help;configure-logging' {
            break
        }
        'hivemind;observability;help;traces' {
            break
        }
        'hivemind;observability;help;logs' {
            break
        }
        'hivemind;observability;help;import-dashboards' {
            break
        }
        'hivemind;observability;help;open-dashboard' {
            break
        }
        'hivemind;observability;help;diagnose' {
            break
        }
        'hivemind;observability;help;help' {
            break
        }
        'hivemind;health' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show this node''s health: CPU, memory, swap, disks, load, processes')
            [CompletionResult]::new('configure-auto-healing', 'configure-auto-healing', [CompletionResultType]::ParameterValue, 'Configure the restart budget for unhealthy targets')
            [CompletionResult]::new('create-alert-rule', 'create-alert-rule', [CompletionResultType]::ParameterValue, 'Create an alert rule (or several from a YAML file)')
            [CompletionResult]::new('list-alert-rules', 'list-alert-rules', [CompletionResultType]::ParameterValue, 'List alert rules')
            [CompletionResult]::new('delete-alert-rule', 'delete-alert-rule', [CompletionResultType]::ParameterValue, 'Delete an alert rule')
            [CompletionResult]::new('configure-alert-channel', 'configure-alert-channel', [CompletionResultType]::ParameterValue, 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)')
            [CompletionResult]::new('list-alert-channels', 'list-alert-channels', [CompletionResultType]::ParameterValue, 'List alert channels (secrets are shown as <secret>)')
            [CompletionResult]::new('delete-alert-channel', 'delete-alert-channel', [CompletionResultType]::ParameterValue, 'Delete an alert channel and its stored secrets')
            [CompletionResult]::new('create-check', 'create-check', [CompletionResultType]::ParameterValue, 'Create a health check (HTTP, TCP, command or gRPC)')
            [CompletionResult]::new('list-checks', 'list-checks', [CompletionResultType]::ParameterValue, 'List health checks')
            [CompletionResult]::new('delete-check', 'delete-check', [CompletionResultType]::ParameterValue, 'Delete a health check')
            [CompletionResult]::new('run-check', 'run-check', [CompletionResultType]::ParameterValue, 'Run a health check once, now (exit 0 healthy, 1 unhealthy)')
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'List alerts: pending and firing by default, from the agent''s continuous evaluation')
            [CompletionResult]::new('test-alert-channel', 'test-alert-channel', [CompletionResultType]::ParameterValue, 'Send a clearly marked test notification through the real delivery path')
            [CompletionResult]::new('export-rules', 'export-rules', [CompletionResultType]::ParameterValue, 'Write the alert rules as a Prometheus rule file (YAML)')
            [CompletionResult]::new('export-alertmanager-config', 'export-alertmanager-config', [CompletionResultType]::ParameterValue, 'Write the alert channels as an Alertmanager configuration (YAML)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;health;status' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long --wait-healthy waits')
            [CompletionResult]::new('--max-cpu', '--max-cpu', [CompletionResultType]::ParameterName, 'Unhealthy above this CPU use, percent of all CPUs')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'Unhealthy above this memory use (total minus available), percent')
            [CompletionResult]::new('--max-swap', '--max-swap', [CompletionResultType]::ParameterName, 'Unhealthy above this swap use, percent')
            [CompletionResult]::new('--max-disk', '--max-disk', [CompletionResultType]::ParameterName, 'Unhealthy above this use of any file system, percent')
            [CompletionResult]::new('--max-load', '--max-load', [CompletionResultType]::ParameterName, 'Unhealthy above this five-minute load average per CPU')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Refresh the report every 2 s (in place on a terminal) until Ctrl-C')
            [CompletionResult]::new('--wait-healthy', '--wait-healthy', [CompletionResultType]::ParameterName, 'Poll until everything is healthy (exit 0) or --timeout passes (exit 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;configure-auto-healing' {
            [CompletionResult]::new('--enabled', '--enabled', [CompletionResultType]::ParameterName, 'Turn auto-healing on or off (`--enabled`, `--enabled true`, `--enabled=false`)')
            [CompletionResult]::new('--max-restarts', '--max-restarts', [CompletionResultType]::ParameterName, 'Restarts allowed per target before giving up (1-1000)')
            [CompletionResult]::new('--restart-interval', '--restart-interval', [CompletionResultType]::ParameterName, 'Minimum gap between restarts of one target: seconds (60) or a duration (1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;create-alert-rule' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Rule name (becomes the Prometheus alertname): letters, digits, ''_''')
            [CompletionResult]::new('--metric', '--metric', [CompletionResultType]::ParameterName, 'The metric to watch, e.g. hivemind_node_cpu_usage')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'The value the metric is compared against')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long the condition must hold before the alert fires (e.g. 5m; 0s fires at once)')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'How urgent the alert is')
            [CompletionResult]::new('--comparison', '--comparison', [CompletionResultType]::ParameterName, 'How the metric is compared with the threshold')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the alert means, for the people who receive it')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Select series by label: name=value, name!=value, name=~regex, name!~regex (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read one or many rules from a YAML file (''-'' for stdin) in the seed''s rule format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace rules that already exist instead of failing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;list-alert-rules' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;delete-alert-rule' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the rule to delete')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;configure-alert-channel' {
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Channel type')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Channel name [default: the type]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'slack: incoming-webhook URL (a secret: prefer --webhook-url-stdin or --webhook-url-file)')
            [CompletionResult]::new('--webhook-url-file', '--webhook-url-file', [CompletionResultType]::ParameterName, 'slack: read the webhook URL from a file')
            [CompletionResult]::new('--smtp-server', '--smtp-server', [CompletionResultType]::ParameterName, 'email: SMTP server host name')
            [CompletionResult]::new('--smtp-port', '--smtp-port', [CompletionResultType]::ParameterName, 'email: SMTP port [default: 587]')
            [CompletionResult]::new('--smtp-user', '--smtp-user', [CompletionResultType]::ParameterName, 'email: SMTP user name')
            [CompletionResult]::new('--smtp-password', '--smtp-password', [CompletionResultType]::ParameterName, 'email: SMTP password (a secret: prefer --smtp-password-stdin or --smtp-password-file)')
            [CompletionResult]::new('--smtp-password-file', '--smtp-password-file', [CompletionResultType]::ParameterName, 'email: read the SMTP password from a file')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'email: sender address')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'email: recipient address (repeatable or comma-separated)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'webhook: URL that receives Alertmanager-compatible JSON; pagerduty: Events API v2 endpoint [default: https://events.pagerduty.com/v2/enqueue]')
            [CompletionResult]::new('--routing-key', '--routing-key', [CompletionResultType]::ParameterName, 'pagerduty: Events API v2 routing key (a secret: prefer --routing-key-stdin or --routing-key-file)')
            [CompletionResult]::new('--routing-key-file', '--routing-key-file', [CompletionResultType]::ParameterName, 'pagerduty: read the routing key from a file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--webhook-url-stdin', '--webhook-url-stdin', [CompletionResultType]::ParameterName, 'slack: read the webhook URL from stdin')
            [CompletionResult]::new('--smtp-password-stdin', '--smtp-password-stdin', [CompletionResultType]::ParameterName, 'email: read the SMTP password from stdin')
            [CompletionResult]::new('--routing-key-stdin', '--routing-key-stdin', [CompletionResultType]::ParameterName, 'pagerduty: read the routing key from stdin')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;list-alert-channels' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;delete-alert-channel' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the channel to delete')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;create-check' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Check name')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What to probe')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often the check runs (at least 1s)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long one run may take (less than the interval)')
            [CompletionResult]::new('--failure-threshold', '--failure-threshold', [CompletionResultType]::ParameterName, 'Consecutive failures that make the target unhealthy (1-100)')
            [CompletionResult]::new('--success-threshold', '--success-threshold', [CompletionResultType]::ParameterName, 'Consecutive successes that make it healthy again (1-100)')
            [CompletionResult]::new('--start-period', '--start-period', [CompletionResultType]::ParameterName, 'Failures in this time after the check (or a restart) starts do not count')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'http: the URL to GET')
            [CompletionResult]::new('--expect-status', '--expect-status', [CompletionResultType]::ParameterName, 'http: accepted status codes, e.g. 200,204 or 2xx or 200-399 [default: 2xx]')
            [CompletionResult]::new('--body-contains', '--body-contains', [CompletionResultType]::ParameterName, 'http: the body must contain this text')
            [CompletionResult]::new('--body-regex', '--body-regex', [CompletionResultType]::ParameterName, 'http: the body must match this regular expression')
            [CompletionResult]::new('--json-pointer', '--json-pointer', [CompletionResultType]::ParameterName, 'http: the JSON body''s value at POINTER must equal VALUE, e.g. /status=ok')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'http: a request header ''Name: value'' (repeatable)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'http, grpc: PEM file of a CA to trust')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'tcp, grpc: host:port to connect to')
            [CompletionResult]::new('--command', '--command', [CompletionResultType]::ParameterName, 'command: the program and each argument, one per flag (or everything after `--`)')
            [CompletionResult]::new('--grpc-service', '--grpc-service', [CompletionResultType]::ParameterName, 'grpc: the service name to ask about (empty: the server as a whole)')
            [CompletionResult]::new('--restart-command', '--restart-command', [CompletionResultType]::ParameterName, 'Program and arguments that restart the target when auto-healing is on, one per flag')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--insecure-skip-verify', '--insecure-skip-verify', [CompletionResultType]::ParameterName, 'http: accept any TLS certificate (unsafe; for testing only)')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'grpc: connect with TLS')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace a check that already exists instead of failing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;list-checks' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;delete-check' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the check')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;run-check' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the check')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;alerts' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only alerts in these states (repeatable or comma-separated) [default: pending,firing]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--fail-if-firing', '--fail-if-firing', [CompletionResultType]::ParameterName, 'Exit with 1 when any alert shown is firing (for CI gates)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;test-alert-channel' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the channel to send a test notification to')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;export-rules' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the rule file here (atomically, mode 0644) instead of to stdout; the format is always YAML')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'yaml, the only format of a rule file (`--output` names the file here)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;export-alertmanager-config' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the configuration here (atomically) instead of to stdout; the format is always YAML')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'yaml, the only format of an Alertmanager configuration (`--output` names the file here)')
            [CompletionResult]::new('--secrets-dir', '--secrets-dir', [CompletionResultType]::ParameterName, 'Write each channel secret into DIR (mode 0600, as <channel>.<field>) and reference those files [default: reference secrets/<channel>.<field> next to the configuration, without writing them]')
            [CompletionResult]::new('--group-wait', '--group-wait', [CompletionResultType]::ParameterName, 'Alertmanager''s group_wait: how long a new group waits for more alerts')
            [CompletionResult]::new('--group-interval', '--group-interval', [CompletionResultType]::ParameterName, 'Alertmanager''s group_interval: the wait before notifying about changes to a group')
            [CompletionResult]::new('--repeat-interval', '--repeat-interval', [CompletionResultType]::ParameterName, 'Alertmanager''s repeat_interval: the wait before repeating a notification')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--inline-secrets', '--inline-secrets', [CompletionResultType]::ParameterName, 'Put secret values into the configuration itself (the file is then mode 0600); only from this machine''s state, never from an agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;health;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show this node''s health: CPU, memory, swap, disks, load, processes')
            [CompletionResult]::new('configure-auto-healing', 'configure-auto-healing', [CompletionResultType]::ParameterValue, 'Configure the restart budget for unhealthy targets')
            [CompletionResult]::new('create-alert-rule', 'create-alert-rule', [CompletionResultType]::ParameterValue, 'Create an alert rule (or several from a YAML file)')
            [CompletionResult]::new('list-alert-rules', 'list-alert-rules', [CompletionResultType]::ParameterValue, 'List alert rules')
            [CompletionResult]::new('delete-alert-rule', 'delete-alert-rule', [CompletionResultType]::ParameterValue, 'Delete an alert rule')
            [CompletionResult]::new('configure-alert-channel', 'configure-alert-channel', [CompletionResultType]::ParameterValue, 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)')
            [CompletionResult]::new('list-alert-channels', 'list-alert-channels', [CompletionResultType]::ParameterValue, 'List alert channels (secrets are shown as <secret>)')
            [CompletionResult]::new('delete-alert-channel', 'delete-alert-channel', [CompletionResultType]::ParameterValue, 'Delete an alert channel and its stored secrets')
            [CompletionResult]::new('create-check', 'create-check', [CompletionResultType]::ParameterValue, 'Create a health check (HTTP, TCP, command or gRPC)')
            [CompletionResult]::new('list-checks', 'list-checks', [CompletionResultType]::ParameterValue, 'List health checks')
            [CompletionResult]::new('delete-check', 'delete-check', [CompletionResultType]::ParameterValue, 'Delete a health check')
            [CompletionResult]::new('run-check', 'run-check', [CompletionResultType]::ParameterValue, 'Run a health check once, now (exit 0 healthy, 1 unhealthy)')
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'List alerts: pending and firing by default, from the agent''s continuous evaluation')
            [CompletionResult]::new('test-alert-channel', 'test-alert-channel', [CompletionResultType]::ParameterValue, 'Send a clearly marked test notification through the real delivery path')
            [CompletionResult]::new('export-rules', 'export-rules', [CompletionResultType]::ParameterValue, 'Write the alert rules as a Prometheus rule file (YAML)')
            [CompletionResult]::new('export-alertmanager-config', 'export-alertmanager-config', [CompletionResultType]::ParameterValue, 'Write the alert channels as an Alertmanager configuration (YAML)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;health;help;status' {
            break
        }
        'hivemind;health;help;configure-auto-healing' {
            break
        }
        'hivemind;health;help;create-alert-rule' {
            break
        }
        'hivemind;health;help;list-alert-rules' {
            break
        }
        'hivemind;health;help;delete-alert-rule' {
            break
        }
        'hivemind;health;help;configure-alert-channel' {
            break
        }
        'hivemind;health;help;list-alert-channels' {
            break
        }
        'hivemind;health;help;delete-alert-channel' {
            break
        }
        'hivemind;health;help;create-check' {
            break
        }
        'hivemind;health;help;list-checks' {
            break
        }
        'hivemind;health;help;delete-check' {
            break
        }
        'hivemind;health;help;run-check' {
            break
        }
        'hivemind;health;help;alerts' {
            break
        }
        'hivemind;health;help;test-alert-channel' {
            break
        }
        'hivemind;health;help;export-rules' {
            break
        }
        'hivemind;health;help;export-alertmanager-config' {
            break
        }
        'hivemind;health;help;help' {
            break
        }
        'hivemind;profile' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('cpu', 'cpu', [CompletionResultType]::ParameterValue, 'Sample CPU call stacks of processes, a container or the agent')
            [CompletionResult]::new('memory', 'memory', [CompletionResultType]::ParameterValue, 'Resident memory by mapping, or a Go service''s heap profile')
            [CompletionResult]::new('network', 'network', [CompletionResultType]::ParameterValue, 'Bytes and segments per TCP connection, and per interface, over a window')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;profile;cpu' {
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Profile this process, every thread of it (repeatable or comma-separated)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Profile every process of this container: id, id prefix, name or systemd unit')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long to sample (1s to 10m)')
            [CompletionResult]::new('--frequency', '--frequency', [CompletionResultType]::ParameterName, 'Samples per second per thread (1 to 1000)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the profile here (''-'' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the summary on stdout (`--output` names the profile''s file here)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--daemon', '--daemon', [CompletionResultType]::ParameterName, 'Profile the agent itself (with --agent, or the daemon running on this data directory)')
            [CompletionResult]::new('--coarse', '--coarse', [CompletionResultType]::ParameterName, 'Per-thread CPU times from /proc instead of call stacks (no perf events needed)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace --output if it exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;profile;memory' {
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Profile this process, every thread of it (repeatable or comma-separated)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Profile every process of this container: id, id prefix, name or systemd unit')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Fetch a Go service''s heap profile from this URL (http://HOST:PORT/debug/pprof/heap)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the profile here (''-'' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the summary on stdout (`--output` names the profile''s file here)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--daemon', '--daemon', [CompletionResultType]::ParameterName, 'Profile the agent itself (with --agent, or the daemon running on this data directory)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace --output if it exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;profile;network' {
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Profile this process, every thread of it (repeatable or comma-separated)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Profile every process of this container: id, id prefix, name or systemd unit')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long to watch (1s to 10m)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the profile here (''-'' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format of the summary on stdout (`--output` names the profile''s file here)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--daemon', '--daemon', [CompletionResultType]::ParameterName, 'Profile the agent itself (with --agent, or the daemon running on this data directory)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace --output if it exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;profile;help' {
            [CompletionResult]::new('cpu', 'cpu', [CompletionResultType]::ParameterValue, 'Sample CPU call stacks of processes, a container or the agent')
            [CompletionResult]::new('memory', 'memory', [CompletionResultType]::ParameterValue, 'Resident memory by mapping, or a Go service''s heap profile')
            [CompletionResult]::new('network', 'network', [CompletionResultType]::ParameterValue, 'Bytes and segments per TCP connection, and per interface, over a window')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;profile;help;cpu' {
            break
        }
        'hivemind;profile;help;memory' {
            break
        }
        'hivemind;profile;help;network' {
            break
        }
        'hivemind;profile;help;help' {
            break
        }
        'hivemind;agent' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add (or replace) an agent')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agents in the inventory')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an agent and its stored token')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make an agent the default target of every command (or go back to this machine)')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Check that agents answer, and how fast (all agents when none is named)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;agent;add' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The agent''s API URL, e.g. https://node1.example.com:9470')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the agent''s token from a file')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'The agent''s token (visible in `ps` and shell history: prefer --token-stdin)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of the CA that signed the agent''s certificate (for self-signed agents)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the agent''s token from stdin (print it on the agent with `hivemind daemon token`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;agent;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;agent;remove' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;agent;use' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--none', '--none', [CompletionResultType]::ParameterName, 'Use no default agent: commands act on this machine again')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;agent;ping' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;agent;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add (or replace) an agent')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agents in the inventory')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an agent and its stored token')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make an agent the default target of every command (or go back to this machine)')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Check that agents answer, and how fast (all agents when none is named)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;agent;help;add' {
            break
        }
        'hivemind;agent;help;list' {
            break
        }
        'hivemind;agent;help;remove' {
            break
        }
        'hivemind;agent;help;use' {
            break
        }
        'hivemind;agent;help;ping' {
            break
        }
        'hivemind;agent;help;help' {
            break
        }
        'hivemind;daemon' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address of the API listener (non-loopback addresses need --tls-cert and --tls-key)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'PEM certificate chain for HTTPS on the API listener')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'PEM private key for HTTPS on the API listener')
            [CompletionResult]::new('--collect-interval', '--collect-interval', [CompletionResultType]::ParameterName, 'How often node and container metrics are collected and alert rules evaluated (scrapes serve the latest collection)')
            [CompletionResult]::new('--repeat-interval', '--repeat-interval', [CompletionResultType]::ParameterName, 'Notify again after this long while an alert keeps firing')
            [CompletionResult]::new('--notification-queue', '--notification-queue', [CompletionResultType]::ParameterName, 'Notifications that may wait per alert channel; further ones are dropped and counted')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Client connections served at once across the API, local-socket and metrics listeners (lowered to fit the open-file limit); when full, the longest-idle one is closed for a new one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--allow-remote-exec', '--allow-remote-exec', [CompletionResultType]::ParameterName, 'Accept command checks and restart commands over the network API (they run programs on this node); the local CLI on this machine may always configure them')
            [CompletionResult]::new('--allow-private-destinations', '--allow-private-destinations', [CompletionResultType]::ParameterName, 'Let alert notifications reach private and loopback addresses (refused by default, so that API clients cannot make the agent reach internal services)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the agent''s API token (created on the daemon''s first start)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;daemon;token' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('--rotate', '--rotate', [CompletionResultType]::ParameterName, 'Replace the token with a new one (running daemons pick it up on restart)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;daemon;help' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the agent''s API token (created on the daemon''s first start)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;daemon;help;token' {
            break
        }
        'hivemind;daemon;help;help' {
            break
        }
        'hivemind;completions' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table for people, json or yaml for scripts')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run on these agents instead of this machine (repeatable or comma-separated)')
            [CompletionResult]::new('--agent-timeout', '--agent-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each agent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (repeat for more)')
            [CompletionResult]::new('--all-agents', '--all-agents', [CompletionResultType]::ParameterName, 'Run on every agent in the inventory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hivemind;help' {
            [CompletionResult]::new('observability', 'observability', [CompletionResultType]::ParameterValue, 'Metrics, tracing and logging configuration')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Health status, auto-healing, alert rules and alert channels')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'CPU, memory and network profiles of processes and containers, as pprof')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Manage the remote agents this CLI talks to')
            [CompletionResult]::new('daemon', 'daemon', [CompletionResultType]::ParameterValue, 'Run the agent: metrics, API and background work for this node')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hivemind;help;observability' {
            [CompletionResult]::new('configure-metrics', 'configure-metrics', [CompletionResultType]::ParameterValue, 'Configure where the agent serves Prometheus metrics')
            [CompletionResult]::new('show-config', 'show-config', [CompletionResultType]::ParameterValue, 'Show the current observability configuration')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Show current metric values (all families, or one by name)')
            [CompletionResult]::new('configure-tracing', 'configure-tracing', [CompletionResultType]::ParameterValue, 'Export the agent''s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)')
            [CompletionResult]::new('configure-logging', 'configure-logging', [CompletionResultType]::ParameterValue, 'Ship the agent''s structured log to Elasticsearch (the _bulk API)')
            [CompletionResult]::new('traces', 'traces', [CompletionResultType]::ParameterValue, 'Show the agent''s recent traces, or the spans of one trace')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the agent''s recent log records')
            [CompletionResult]::new('import-dashboards', 'import-dashboards', [CompletionResultType]::ParameterValue, 'Import the five Grafana dashboards (or write them for file provisioning)')
            [CompletionResult]::new('open-dashboard', 'open-dashboard', [CompletionResultType]::ParameterValue, 'Open the Grafana dashboard, or the agent''s built-in status page, in a browser')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)')
            break
        }
        'hivemind;help;observability;configure-metrics' {
            break
        }
        'hivemind;help;observability;show-config' {
            break
        }
        'hivemind;help;observability;metrics' {
            break
        }
        'hivemind;help;observability;configure-tracing' {
            break
        }
        'hivemind;help;observability;configure-logging' {
            break
        }
        'hivemind;help;observability;traces' {
            break
        }
        'hivemind;help;observability;logs' {
            break
        }
        'hivemind;help;observability;import-dashboards' {
            break
        }
        'hivemind;help;observability;open-dashboard' {
            break
        }
        'hivemind;help;observability;diagnose' {
            break
        }
        'hivemind;help;health' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show this node''s health: CPU, memory, swap, disks, load, processes')
            [CompletionResult]::new('configure-auto-healing', 'configure-auto-healing', [CompletionResultType]::ParameterValue, 'Configure the restart budget for unhealthy targets')
            [CompletionResult]::new('create-alert-rule', 'create-alert-rule', [CompletionResultType]::ParameterValue, 'Create an alert rule (or several from a YAML file)')
            [CompletionResult]::new('list-alert-rules', 'list-alert-rules', [CompletionResultType]::ParameterValue, 'List alert rules')
            [CompletionResult]::new('delete-alert-rule', 'delete-alert-rule', [CompletionResultType]::ParameterValue, 'Delete an alert rule')
            [CompletionResult]::new('configure-alert-channel', 'configure-alert-channel', [CompletionResultType]::ParameterValue, 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)')
            [CompletionResult]::new('list-alert-channels', 'list-alert-channels', [CompletionResultType]::ParameterValue, 'List alert channels (secrets are shown as <secret>)')
            [CompletionResult]::new('delete-alert-channel', 'delete-alert-channel', [CompletionResultType]::ParameterValue, 'Delete an alert channel and its stored secrets')
            [CompletionResult]::new('create-check', 'create-check', [CompletionResultType]::ParameterValue, 'Create a health check (HTTP, TCP, command or gRPC)')
            [CompletionResult]::new('list-checks', 'list-checks', [CompletionResultType]::ParameterValue, 'List health checks')
            [CompletionResult]::new('delete-check', 'delete-check', [CompletionResultType]::ParameterValue, 'Delete a health check')
            [CompletionResult]::new('run-check', 'run-check', [CompletionResultType]::ParameterValue, 'Run a health check once, now (exit 0 healthy, 1 unhealthy)')
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'List alerts: pending and firing by default, from the agent''s continuous evaluation')
            [CompletionResult]::new('test-alert-channel', 'test-alert-channel', [CompletionResultType]::ParameterValue, 'Send a clearly marked test notification through the real delivery path')
            [CompletionResult]::new('export-rules', 'export-rules', [CompletionResultType]::ParameterValue, 'Write the alert rules as a Prometheus rule file (YAML)')
            [CompletionResult]::new('export-alertmanager-config', 'export-alertmanager-config', [CompletionResultType]::ParameterValue, 'Write the alert channels as an Alertmanager configuration (YAML)')
            break
        }
        'hivemind;help;health;status' {
            break
        }
        'hivemind;help;health;configure-auto-healing' {
            break
        }
        'hivemind;help;health;create-alert-rule' {
            break
        }
        'hivemind;help;health;list-alert-rules' {
            break
        }
        'hivemind;help;health;delete-alert-rule' {
            break
        }
        'hivemind;help;health;configure-alert-channel' {
            break
        }
        'hivemind;help;health;list-alert-channels' {
            break
        }
        'hivemind;help;health;delete-alert-channel' {
            break
        }
        'hivemind;help;health;create-check' {
            break
        }
        'hivemind;help;health;list-checks' {
            break
        }
        'hivemind;help;health;delete-check' {
            break
        }
        'hivemind;help;health;run-check' {
            break
        }
        'hivemind;help;health;alerts' {
            break
        }
        'hivemind;help;health;test-alert-channel' {
            break
        }
        'hivemind;help;health;export-rules' {
            break
        }
        'hivemind;help;health;export-alertmanager-config' {
            break
        }
        'hivemind;help;profile' {
            [CompletionResult]::new('cpu', 'cpu', [CompletionResultType]::ParameterValue, 'Sample CPU call stacks of processes, a container or the agent')
            [CompletionResult]::new('memory', 'memory', [CompletionResultType]::ParameterValue, 'Resident memory by mapping, or a Go service''s heap profile')
            [CompletionResult]::new('network', 'network', [CompletionResultType]::ParameterValue, 'Bytes and segments per TCP connection, and per interface, over a window')
            break
        }
        'hivemind;help;profile;cpu' {
            break
        }
        'hivemind;help;profile;memory' {
            break
        }
        'hivemind;help;profile;network' {
            break
        }
        'hivemind;help;agent' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add (or replace) an agent')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agents in the inventory')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an agent and its stored token')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make an agent the default target of every command (or go back to this machine)')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Check that agents answer, and how fast (all agents when none is named)')
            break
        }
        'hivemind;help;agent;add' {
            break
        }
        'hivemind;help;agent;list' {
            break
        }
        'hivemind;help;agent;remove' {
            break
        }
        'hivemind;help;agent;use' {
            break
        }
        'hivemind;help;agent;ping' {
            break
        }
        'hivemind;help;daemon' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the agent''s API token (created on the daemon''s first start)')
            break
        }
        'hivemind;help;daemon;token' {
            break
        }
        'hivemind;help;completions' {
            break
        }
        'hivemind;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
