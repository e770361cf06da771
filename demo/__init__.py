"""The demo convoy: `data` tells the story, `loader` builds it through the services."""
