package registry

// kinds is every store kind, in the order messages list them.
var kinds = []Kind{fileKind, s3Kind, elasticsearchKind, postgresKind}
