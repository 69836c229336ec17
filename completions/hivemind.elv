
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
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
            cand -o 'Output format (may also be given after the subcommand)'
            cand --output 'Output format (may also be given after the subcommand)'
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
            cand agent 'Manage the remote agents this CLI talks to'
            cand daemon 'Run the agent: metrics, API and background work for this node'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;observability'= {
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;observability;configure-metrics'= {
            cand --port 'TCP port of the metrics listener (1-65535)'
            cand --path 'HTTP path of the metrics endpoint, starting with ''/'''
            cand --listen-address 'IP address the metrics listener binds to (127.0.0.1 by default)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;observability;help;configure-metrics'= {
        }
        &'hivemind;observability;help;show-config'= {
        }
        &'hivemind;observability;help;metrics'= {
        }
        &'hivemind;observability;help;help'= {
        }
        &'hivemind;health'= {
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand alerts 'List alerts: pending and firing by default, from the agent''s continuous evaluation'
            cand test-alert-channel 'Send a clearly marked test notification through the real delivery path'
            cand export-rules 'Write the alert rules as a Prometheus rule file (YAML)'
            cand export-alertmanager-config 'Write the alert channels as an Alertmanager configuration (YAML)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;health;status'= {
            cand --max-cpu 'Unhealthy above this CPU use, percent of all CPUs'
            cand --max-memory 'Unhealthy above this memory use (total minus available), percent'
            cand --max-swap 'Unhealthy above this swap use, percent'
            cand --max-disk 'Unhealthy above this use of any file system, percent'
            cand --max-load 'Unhealthy above this five-minute load average per CPU'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand --secrets-dir 'Write each channel secret into DIR (mode 0600, as <channel>.<field>) and reference those files [default: reference secrets/<channel>.<field> next to the configuration, without writing them]'
            cand --group-wait 'Alertmanager''s group_wait: how long a new group waits for more alerts'
            cand --group-interval 'Alertmanager''s group_interval: the wait before notifying about changes to a group'
            cand --repeat-interval 'Alertmanager''s repeat_interval: the wait before repeating a notification'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
        &'hivemind;agent'= {
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand --data-dir 'Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]'
            cand --color 'When to use colour (NO_COLOR in the environment means never)'
            cand --agent 'Run on these agents instead of this machine (repeatable or comma-separated)'
            cand --timeout 'How long to wait for each agent'
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
            cand agent 'Manage the remote agents this CLI talks to'
            cand daemon 'Run the agent: metrics, API and background work for this node'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hivemind;help;observability'= {
            cand configure-metrics 'Configure where the agent serves Prometheus metrics'
            cand show-config 'Show the current observability configuration'
            cand metrics 'Show current metric values (all families, or one by name)'
        }
        &'hivemind;help;observability;configure-metrics'= {
        }
        &'hivemind;help;observability;show-config'= {
        }
        &'hivemind;help;observability;metrics'= {
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
        &'hivemind;help;health;alerts'= {
        }
        &'hivemind;help;health;test-alert-channel'= {
        }
        &'hivemind;help;health;export-rules'= {
        }
        &'hivemind;help;health;export-alertmanager-config'= {
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
