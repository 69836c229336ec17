
use builtin;
use str;

set edit:completion:arg-completer[hivemind] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hivemind'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hivemind'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand observability 'Metrics, tracing and logging configuration'
            cand health 'Health status, auto-healing, alert rules and alert channels'
            cand profile 'CPU, memory and network profiles of processes and containers, as pprof'
            cand agent 'Manage the remote agents this CLI talks to'
            cand daemon 'Run the agent: metrics, API and background work for this node'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;observability'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand configure-metrics 'Configure where the agent serves Prometheus metrics'
            cand show-config 'Show the current observability configuration'
            cand metrics 'Show current metric values (all families, or one by name)'
            cand configure-tracing 'Export the agent''s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)'
            cand configure-logging 'Ship the agent''s structured log to Elasticsearch (the _bulk API)'
            cand traces 'Show the agent''s recent traces, or the spans of one trace'
            cand logs 'Show the agent''s recent log records'
            cand import-dashboards 'Import the five Grafana dashboards (or write them for file provisioning)'
            cand open-dashboard 'Open the Grafana dashboard, or the agent''s built-in status page, in a browser'
            cand diagnose 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;observability;configure-metrics'= {
            cand --port 'TCP port of the metrics listener (1-65535)'
            cand --path 'HTTP path of the metrics endpoint, starting with ''/'''
            cand --listen-address 'IP address the metrics listener binds to (127.0.0.1 by default)'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;show-config'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;metrics'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;configure-tracing'= {
            cand --service-name 'The service.name on every span and log record'
            cand --endpoint 'The OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces'
            cand --sample-ratio 'Share of the traces the agent starts that are exported, 0 to 1 (traces that callers started follow the caller''s sampled flag)'
            cand --header 'An extra request header NAME=VALUE (repeatable; replaces the stored headers); values are stored as secrets'
            cand --header-stdin 'Read the value of header NAME from stdin (keeps it out of `ps` and shell history)'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --clear-headers 'Remove every stored header'
            cand --enable 'Turn export on again after --disable'
            cand --disable 'Stop exporting (the settings are kept)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;configure-logging'= {
            cand --endpoint 'The Elasticsearch base URL, e.g. http://elasticsearch:9200'
            cand --index 'The index (or data stream) to write to'
            cand --level 'The least severe level shipped'
            cand --username 'User for basic authentication'
            cand --password 'Password for basic authentication (visible in `ps`: prefer --password-stdin)'
            cand --password-file 'Read the password from a file'
            cand --api-key 'An Elasticsearch API key (base64 id:key; visible in `ps`: prefer --api-key-stdin)'
            cand --api-key-file 'Read the API key from a file'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --password-stdin 'Read the password from stdin'
            cand --api-key-stdin 'Read the API key from stdin'
            cand --enable 'Turn shipping on again after --disable'
            cand --disable 'Stop shipping (the settings are kept)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;traces'= {
            cand --limit 'At most this many traces, newest first'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;logs'= {
            cand --level 'The least severe level shown'
            cand --since 'Only records since a time (RFC 3339) or for a duration back from now (5m)'
            cand --text 'Only records whose message or metadata contains this text (any case)'
            cand --limit 'At most this many records (the newest)'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -f 'Keep printing new records as they come (Ctrl-C stops)'
            cand --follow 'Keep printing new records as they come (Ctrl-C stops)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;import-dashboards'= {
            cand --target 'Where to import'
            cand --url 'Grafana''s URL [default: the last one used, else http://127.0.0.1:3000]'
            cand --folder 'The Grafana folder to import into (created when missing)'
            cand --output-dir 'Write the dashboards'' JSON into DIR for Grafana file provisioning instead'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --token-stdin 'Read a Grafana service-account token from stdin (stored as a secret for next time)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;open-dashboard'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --print-url 'Print the URL instead of opening a browser'
            cand --status-page 'Open the agent''s status page even when Grafana dashboards were imported'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;diagnose'= {
            cand --component 'The pipeline to check'
            cand --prometheus 'Prometheus''s URL: check that it scrapes this agent and the target is up'
            cand --alertmanager 'Alertmanager''s URL for --stack [default: http://127.0.0.1:9093]'
            cand --grafana 'Grafana''s URL for --stack [default: the import URL, else http://127.0.0.1:3000]'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --stack 'Also check the health endpoints of Prometheus, Alertmanager and Grafana'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;observability;help'= {
            cand configure-metrics 'Configure where the agent serves Prometheus metrics'
            cand show-config 'Show the current observability configuration'
            cand metrics 'Show current metric values (all families, or one by name)'
            cand configure-tracing 'Export the agent''s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)'
            cand configure-logging 'Ship the agent''s structured log to Elasticsearch (the _bulk API)'
            cand traces 'Show the agent''s recent traces, or the spans of one trace'
            cand logs 'Show the agent''s recent log records'
            cand import-dashboards 'Import the five Grafana dashboards (or write them for file provisioning)'
            cand open-dashboard 'Open the Grafana dashboard, or the agent''s built-in status page, in a browser'
            cand diagnose 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;observability;help;configure-metrics'= {
        }
        &'hivemind;observability;help;show-config'= {
        }
        &'hivemind;observability;help;metrics'= {
        }
        &'hivemind;observability;help;configure-tracing'= {
        }
        &'hivemind;observability;help;configure-logging'= {
        }
        &'hivemind;observability;help;traces'= {
        }
        &'hivemind;observability;help;logs'= {
        }
        &'hivemind;observability;help;import-dashboards'= {
        }
        &'hivemind;observability;help;open-dashboard'= {
        }
        &'hivemind;observability;help;diagnose'= {
        }
        &'hivemind;observability;help;help'= {
        }
        &'hivemind;health'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Show this node''s health: CPU, memory, swap, disks, load, processes'
            cand configure-auto-healing 'Configure the restart budget for unhealthy targets'
            cand create-alert-rule 'Create an alert rule (or several from a YAML file)'
            cand list-alert-rules 'List alert rules'
            cand delete-alert-rule 'Delete an alert rule'
            cand configure-alert-channel 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)'
            cand list-alert-channels 'List alert channels (secrets are shown as <secret>)'
            cand delete-alert-channel 'Delete an alert channel and its stored secrets'
            cand create-check 'Create a health check (HTTP, TCP, command or gRPC)'
            cand list-checks 'List health checks'
            cand delete-check 'Delete a health check'
            cand run-check 'Run a health check once, now (exit 0 healthy, 1 unhealthy)'
            cand alerts 'List alerts: pending and firing by default, from the agent''s continuous evaluation'
            cand test-alert-channel 'Send a clearly marked test notification through the real delivery path'
            cand export-rules 'Write the alert rules as a Prometheus rule file (YAML)'
            cand export-alertmanager-config 'Write the alert channels as an Alertmanager configuration (YAML)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;health;status'= {
            cand --timeout 'How long --wait-healthy waits'
            cand --max-cpu 'Unhealthy above this CPU use, percent of all CPUs'
            cand --max-memory 'Unhealthy above this memory use (total minus available), percent'
            cand --max-swap 'Unhealthy above this swap use, percent'
            cand --max-disk 'Unhealthy above this use of any file system, percent'
            cand --max-load 'Unhealthy above this five-minute load average per CPU'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --watch 'Refresh the report every 2 s (in place on a terminal) until Ctrl-C'
            cand --wait-healthy 'Poll until everything is healthy (exit 0) or --timeout passes (exit 1)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;configure-auto-healing'= {
            cand --enabled 'Turn auto-healing on or off (`--enabled`, `--enabled true`, `--enabled=false`)'
            cand --max-restarts 'Restarts allowed per target before giving up (1-1000)'
            cand --restart-interval 'Minimum gap between restarts of one target: seconds (60) or a duration (1m)'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;create-alert-rule'= {
            cand --name 'Rule name (becomes the Prometheus alertname): letters, digits, ''_'''
            cand --metric 'The metric to watch, e.g. hivemind_node_cpu_usage'
            cand --threshold 'The value the metric is compared against'
            cand --duration 'How long the condition must hold before the alert fires (e.g. 5m; 0s fires at once)'
            cand --severity 'How urgent the alert is'
            cand --comparison 'How the metric is compared with the threshold'
            cand --description 'What the alert means, for the people who receive it'
            cand --label 'Select series by label: name=value, name!=value, name=~regex, name!~regex (repeatable)'
            cand --file 'Read one or many rules from a YAML file (''-'' for stdin) in the seed''s rule format'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --replace 'Replace rules that already exist instead of failing'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;list-alert-rules'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;delete-alert-rule'= {
            cand --name 'Name of the rule to delete'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;configure-alert-channel'= {
            cand --type 'Channel type'
            cand --name 'Channel name [default: the type]'
            cand --webhook-url 'slack: incoming-webhook URL (a secret: prefer --webhook-url-stdin or --webhook-url-file)'
            cand --webhook-url-file 'slack: read the webhook URL from a file'
            cand --smtp-server 'email: SMTP server host name'
            cand --smtp-port 'email: SMTP port [default: 587]'
            cand --smtp-user 'email: SMTP user name'
            cand --smtp-password 'email: SMTP password (a secret: prefer --smtp-password-stdin or --smtp-password-file)'
            cand --smtp-password-file 'email: read the SMTP password from a file'
            cand --from 'email: sender address'
            cand --to 'email: recipient address (repeatable or comma-separated)'
            cand --url 'webhook: URL that receives Alertmanager-compatible JSON; pagerduty: Events API v2 endpoint [default: https://events.pagerduty.com/v2/enqueue]'
            cand --routing-key 'pagerduty: Events API v2 routing key (a secret: prefer --routing-key-stdin or --routing-key-file)'
            cand --routing-key-file 'pagerduty: read the routing key from a file'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --webhook-url-stdin 'slack: read the webhook URL from stdin'
            cand --smtp-password-stdin 'email: read the SMTP password from stdin'
            cand --routing-key-stdin 'pagerduty: read the routing key from stdin'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;list-alert-channels'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;delete-alert-channel'= {
            cand --name 'Name of the channel to delete'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;create-check'= {
            cand --name 'Check name'
            cand --type 'What to probe'
            cand --interval 'How often the check runs (at least 1s)'
            cand --timeout 'How long one run may take (less than the interval)'
            cand --failure-threshold 'Consecutive failures that make the target unhealthy (1-100)'
            cand --success-threshold 'Consecutive successes that make it healthy again (1-100)'
            cand --start-period 'Failures in this time after the check (or a restart) starts do not count'
            cand --url 'http: the URL to GET'
            cand --expect-status 'http: accepted status codes, e.g. 200,204 or 2xx or 200-399 [default: 2xx]'
            cand --body-contains 'http: the body must contain this text'
            cand --body-regex 'http: the body must match this regular expression'
            cand --json-pointer 'http: the JSON body''s value at POINTER must equal VALUE, e.g. /status=ok'
            cand --header 'http: a request header ''Name: value'' (repeatable)'
            cand --ca-cert 'http, grpc: PEM file of a CA to trust'
            cand --address 'tcp, grpc: host:port to connect to'
            cand --command 'command: the program and each argument, one per flag (or everything after `--`)'
            cand --grpc-service 'grpc: the service name to ask about (empty: the server as a whole)'
            cand --restart-command 'Program and arguments that restart the target when auto-healing is on, one per flag'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --insecure-skip-verify 'http: accept any TLS certificate (unsafe; for testing only)'
            cand --tls 'grpc: connect with TLS'
            cand --replace 'Replace a check that already exists instead of failing'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;list-checks'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;delete-check'= {
            cand --name 'Name of the check'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;run-check'= {
            cand --name 'Name of the check'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;alerts'= {
            cand --state 'Only alerts in these states (repeatable or comma-separated) [default: pending,firing]'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --fail-if-firing 'Exit with 1 when any alert shown is firing (for CI gates)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;test-alert-channel'= {
            cand --name 'Name of the channel to send a test notification to'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;export-rules'= {
            cand --output 'Write the rule file here (atomically, mode 0644) instead of to stdout; the format is always YAML'
            cand -o 'yaml, the only format of a rule file (`--output` names the file here)'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;export-alertmanager-config'= {
            cand --output 'Write the configuration here (atomically) instead of to stdout; the format is always YAML'
            cand -o 'yaml, the only format of an Alertmanager configuration (`--output` names the file here)'
            cand --secrets-dir 'Write each channel secret into DIR (mode 0600, as <channel>.<field>) and reference those files [default: reference secrets/<channel>.<field> next to the configuration, without writing them]'
            cand --group-wait 'Alertmanager''s group_wait: how long a new group waits for more alerts'
            cand --group-interval 'Alertmanager''s group_interval: the wait before notifying about changes to a group'
            cand --repeat-interval 'Alertmanager''s repeat_interval: the wait before repeating a notification'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --inline-secrets 'Put secret values into the configuration itself (the file is then mode 0600); only from this machine''s state, never from an agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;health;help'= {
            cand status 'Show this node''s health: CPU, memory, swap, disks, load, processes'
            cand configure-auto-healing 'Configure the restart budget for unhealthy targets'
            cand create-alert-rule 'Create an alert rule (or several from a YAML file)'
            cand list-alert-rules 'List alert rules'
            cand delete-alert-rule 'Delete an alert rule'
            cand configure-alert-channel 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)'
            cand list-alert-channels 'List alert channels (secrets are shown as <secret>)'
            cand delete-alert-channel 'Delete an alert channel and its stored secrets'
            cand create-check 'Create a health check (HTTP, TCP, command or gRPC)'
            cand list-checks 'List health checks'
            cand delete-check 'Delete a health check'
            cand run-check 'Run a health check once, now (exit 0 healthy, 1 unhealthy)'
            cand alerts 'List alerts: pending and firing by default, from the agent''s continuous evaluation'
            cand test-alert-channel 'Send a clearly marked test notification through the real delivery path'
            cand export-rules 'Write the alert rules as a Prometheus rule file (YAML)'
            cand export-alertmanager-config 'Write the alert channels as an Alertmanager configuration (YAML)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;health;help;status'= {
        }
        &'hivemind;health;help;configure-auto-healing'= {
        }
        &'hivemind;health;help;create-alert-rule'= {
        }
        &'hivemind;health;help;list-alert-rules'= {
        }
        &'hivemind;health;help;delete-alert-rule'= {
        }
        &'hivemind;health;help;configure-alert-channel'= {
        }
        &'hivemind;health;help;list-alert-channels'= {
        }
        &'hivemind;health;help;delete-alert-channel'= {
        }
        &'hivemind;health;help;create-check'= {
        }
        &'hivemind;health;help;list-checks'= {
        }
        &'hivemind;health;help;delete-check'= {
        }
        &'hivemind;health;help;run-check'= {
        }
        &'hivemind;health;help;alerts'= {
        }
        &'hivemind;health;help;test-alert-channel'= {
        }
        &'hivemind;health;help;export-rules'= {
        }
        &'hivemind;health;help;export-alertmanager-config'= {
        }
        &'hivemind;health;help;help'= {
        }
        &'hivemind;profile'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand cpu 'Sample CPU call stacks of processes, a container or the agent'
            cand memory 'Resident memory by mapping, or a Go service''s heap profile'
            cand network 'Bytes and segments per TCP connection, and per interface, over a window'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;profile;cpu'= {
            cand --pid 'Profile this process, every thread of it (repeatable or comma-separated)'
            cand --container 'Profile every process of this container: id, id prefix, name or systemd unit'
            cand --duration 'How long to sample (1s to 10m)'
            cand --frequency 'Samples per second per thread (1 to 1000)'
            cand --output 'Write the profile here (''-'' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]'
            cand -o 'Format of the summary on stdout (`--output` names the profile''s file here)'
            cand --format 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --daemon 'Profile the agent itself (with --agent, or the daemon running on this data directory)'
            cand --coarse 'Per-thread CPU times from /proc instead of call stacks (no perf events needed)'
            cand --force 'Replace --output if it exists'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;profile;memory'= {
            cand --pid 'Profile this process, every thread of it (repeatable or comma-separated)'
            cand --container 'Profile every process of this container: id, id prefix, name or systemd unit'
            cand --url 'Fetch a Go service''s heap profile from this URL (http://HOST:PORT/debug/pprof/heap)'
            cand --output 'Write the profile here (''-'' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]'
            cand -o 'Format of the summary on stdout (`--output` names the profile''s file here)'
            cand --format 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --daemon 'Profile the agent itself (with --agent, or the daemon running on this data directory)'
            cand --force 'Replace --output if it exists'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;profile;network'= {
            cand --pid 'Profile this process, every thread of it (repeatable or comma-separated)'
            cand --container 'Profile every process of this container: id, id prefix, name or systemd unit'
            cand --duration 'How long to watch (1s to 10m)'
            cand --output 'Write the profile here (''-'' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]'
            cand -o 'Format of the summary on stdout (`--output` names the profile''s file here)'
            cand --format 'pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --daemon 'Profile the agent itself (with --agent, or the daemon running on this data directory)'
            cand --force 'Replace --output if it exists'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;profile;help'= {
            cand cpu 'Sample CPU call stacks of processes, a container or the agent'
            cand memory 'Resident memory by mapping, or a Go service''s heap profile'
            cand network 'Bytes and segments per TCP connection, and per interface, over a window'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;profile;help;cpu'= {
        }
        &'hivemind;profile;help;memory'= {
        }
        &'hivemind;profile;help;network'= {
        }
        &'hivemind;profile;help;help'= {
        }
        &'hivemind;agent'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Add (or replace) an agent'
            cand list 'List the agents in the inventory'
            cand remove 'Remove an agent and its stored token'
            cand use 'Make an agent the default target of every command (or go back to this machine)'
            cand ping 'Check that agents answer, and how fast (all agents when none is named)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;agent;add'= {
            cand --url 'The agent''s API URL, e.g. https://node1.example.com:9470'
            cand --token-file 'Read the agent''s token from a file'
            cand --token 'The agent''s token (visible in `ps` and shell history: prefer --token-stdin)'
            cand --ca-cert 'PEM file of the CA that signed the agent''s certificate (for self-signed agents)'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --token-stdin 'Read the agent''s token from stdin (print it on the agent with `hivemind daemon token`)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;agent;list'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;agent;remove'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;agent;use'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --none 'Use no default agent: commands act on this machine again'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;agent;ping'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;agent;help'= {
            cand add 'Add (or replace) an agent'
            cand list 'List the agents in the inventory'
            cand remove 'Remove an agent and its stored token'
            cand use 'Make an agent the default target of every command (or go back to this machine)'
            cand ping 'Check that agents answer, and how fast (all agents when none is named)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;agent;help;add'= {
        }
        &'hivemind;agent;help;list'= {
        }
        &'hivemind;agent;help;remove'= {
        }
        &'hivemind;agent;help;use'= {
        }
        &'hivemind;agent;help;ping'= {
        }
        &'hivemind;agent;help;help'= {
        }
        &'hivemind;daemon'= {
            cand --listen 'Address of the API listener (non-loopback addresses need --tls-cert and --tls-key)'
            cand --tls-cert 'PEM certificate chain for HTTPS on the API listener'
            cand --tls-key 'PEM private key for HTTPS on the API listener'
            cand --collect-interval 'How often node and container metrics are collected and alert rules evaluated (scrapes serve the latest collection)'
            cand --repeat-interval 'Notify again after this long while an alert keeps firing'
            cand --notification-queue 'Notifications that may wait per alert channel; further ones are dropped and counted'
            cand --max-connections 'Client connections served at once across the API, local-socket and metrics listeners (lowered to fit the open-file limit); when full, the longest-idle one is closed for a new one'
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --allow-remote-exec 'Accept command checks and restart commands over the network API (they run programs on this node); the local CLI on this machine may always configure them'
            cand --allow-private-destinations 'Let alert notifications reach private and loopback addresses (refused by default, so that API clients cannot make the agent reach internal services)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand token 'Print the agent''s API token (created on the daemon''s first start)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;daemon;token'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand --rotate 'Replace the token with a new one (running daemons pick it up on restart)'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;daemon;help'= {
            cand token 'Print the agent''s API token (created on the daemon''s first start)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;daemon;help;token'= {
        }
        &'hivemind;daemon;help;help'= {
        }
        &'hivemind;completions'= {
            cand -o 'Output format: table for people, json or yaml for scripts'
            cand --output 'Output format: table for people, json or yaml for scripts'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --agent-timeout 'How long to wait for each agent'
            cand -q 'Print only data and errors; no status messages'
            cand --quiet 'Print only data and errors; no status messages'
            cand -v 'Print more detail on stderr (repeat for more)'
            cand --verbose 'Print more detail on stderr (repeat for more)'
            cand --all-agents 'Run on every agent in the inventory'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hivemind;help'= {
            cand observability 'Metrics, tracing and logging configuration'
            cand health 'Health status, auto-healing, alert rules and alert channels'
            cand profile 'CPU, memory and network profiles of processes and containers, as pprof'
            cand agent 'Manage the remote agents this CLI talks to'
            cand daemon 'Run the agent: metrics, API and background work for this node'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;help;observability'= {
            cand configure-metrics 'Configure where the agent serves Prometheus metrics'
            cand show-config 'Show the current observability configuration'
            cand metrics 'Show current metric values (all families, or one by name)'
            cand configure-tracing 'Export the agent''s own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)'
            cand configure-logging 'Ship the agent''s structured log to Elasticsearch (the _bulk API)'
            cand traces 'Show the agent''s recent traces, or the spans of one trace'
            cand logs 'Show the agent''s recent log records'
            cand import-dashboards 'Import the five Grafana dashboards (or write them for file provisioning)'
            cand open-dashboard 'Open the Grafana dashboard, or the agent''s built-in status page, in a browser'
            cand diagnose 'Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)'
        }
        &'hivemind;help;observability;configure-metrics'= {
        }
        &'hivemind;help;observability;show-config'= {
        }
        &'hivemind;help;observability;metrics'= {
        }
        &'hivemind;help;observability;configure-tracing'= {
        }
        &'hivemind;help;observability;configure-logging'= {
        }
        &'hivemind;help;observability;traces'= {
        }
        &'hivemind;help;observability;logs'= {
        }
        &'hivemind;help;observability;import-dashboards'= {
        }
        &'hivemind;help;observability;open-dashboard'= {
        }
        &'hivemind;help;observability;diagnose'= {
        }
        &'hivemind;help;health'= {
            cand status 'Show this node''s health: CPU, memory, swap, disks, load, processes'
            cand configure-auto-healing 'Configure the restart budget for unhealthy targets'
            cand create-alert-rule 'Create an alert rule (or several from a YAML file)'
            cand list-alert-rules 'List alert rules'
            cand delete-alert-rule 'Delete an alert rule'
            cand configure-alert-channel 'Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)'
            cand list-alert-channels 'List alert channels (secrets are shown as <secret>)'
            cand delete-alert-channel 'Delete an alert channel and its stored secrets'
            cand create-check 'Create a health check (HTTP, TCP, command or gRPC)'
            cand list-checks 'List health checks'
            cand delete-check 'Delete a health check'
            cand run-check 'Run a health check once, now (exit 0 healthy, 1 unhealthy)'
            cand alerts 'List alerts: pending and firing by default, from the agent''s continuous evaluation'
            cand test-alert-channel 'Send a clearly marked test notification through the real delivery path'
            cand export-rules 'Write the alert rules as a Prometheus rule file (YAML)'
            cand export-alertmanager-config 'Write the alert channels as an Alertmanager configuration (YAML)'
        }
        &'hivemind;help;health;status'= {
        }
        &'hivemind;help;health;configure-auto-healing'= {
        }
        &'hivemind;help;health;create-alert-rule'= {
        }
        &'hivemind;help;health;list-alert-rules'= {
        }
        &'hivemind;help;health;delete-alert-rule'= {
        }
        &'hivemind;help;health;configure-alert-channel'= {
        }
        &'hivemind;help;health;list-alert-channels'= {
        }
        &'hivemind;help;health;delete-alert-channel'= {
        }
        &'hivemind;help;health;create-check'= {
        }
        &'hivemind;help;health;list-checks'= {
        }
        &'hivemind;help;health;delete-check'= {
        }
        &'hivemind;help;health;run-check'= {
        }
        &'hivemind;help;health;alerts'= {
        }
        &'hivemind;help;health;test-alert-channel'= {
        }
        &'hivemind;help;health;export-rules'= {
        }
        &'hivemind;help;health;export-alertmanager-config'= {
        }
        &'hivemind;help;profile'= {
            cand cpu 'Sample CPU call stacks of processes, a container or the agent'
            cand memory 'Resident memory by mapping, or a Go service''s heap profile'
            cand network 'Bytes and segments per TCP connection, and per interface, over a window'
        }
        &'hivemind;help;profile;cpu'= {
        }
        &'hivemind;help;profile;memory'= {
        }
        &'hivemind;help;profile;network'= {
        }
        &'hivemind;help;agent'= {
            cand add 'Add (or replace) an agent'
            cand list 'List the agents in the inventory'
            cand remove 'Remove an agent and its stored token'
            cand use 'Make an agent the default target of every command (or go back to this machine)'
            cand ping 'Check that agents answer, and how fast (all agents when none is named)'
        }
        &'hivemind;help;agent;add'= {
        }
        &'hivemind;help;agent;list'= {
        }
        &'hivemind;help;agent;remove'= {
        }
        &'hivemind;help;agent;use'= {
        }
        &'hivemind;help;agent;ping'= {
        }
        &'hivemind;help;daemon'= {
            cand token 'Print the agent''s API token (created on the daemon''s first start)'
        }
        &'hivemind;help;daemon;token'= {
        }
        &'hivemind;help;completions'= {
        }
        &'hivemind;help;help'= {
        }
    ]
    $completions[$command]
}
