// Package s3store keeps snapshot objects in an S3 bucket, or in a bucket of
// an S3-compatible server such as MinIO, under a key prefix.
//
// A store is named by a URL:
//
//	s3://BUCKET/PREFIX?endpoint=http://127.0.0.1:9000&region=us-east-1&path-style=true
//
// PREFIX may be empty or several segments deep ("snapshots/prod"); every
// key of the store lives under it. The query keys are all optional:
//
//	endpoint    the base URL of an S3-compatible server, http or https;
//	            without it the store talks to AWS S3 in its region.
//	region      the bucket's region; without it the SDK's default
//	            (AWS_REGION, the shared config file), and us-east-1 when an
//	            endpoint is given and nothing else names one.
//	path-style  true to address the bucket as ENDPOINT/BUCKET/KEY rather
//	            than BUCKET.ENDPOINT/KEY; most S3-compatible servers need it.
//
// Credentials never come from the URL: a URL with user information is
// refused, because URLs end up in logs. They come from the AWS SDK's default
// chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared files, an
// instance or task role), or from Config.AccessKey and Config.SecretKey,
// which a caller may fill for an S3-compatible server.
//
// Tests run the snapshot store conformance suite against a real server:
// the one ETHFLEET_S3_TEST_URL names, with ETHFLEET_S3_TEST_ACCESS_KEY and
// ETHFLEET_S3_TEST_SECRET_KEY (.ci/run starts a MinIO and sets them), or
// else a MinIO each test starts on a free loopback port when a minio
// binary is on PATH or in GOPATH/bin
// (go install github.com/minio/minio@latest). With neither they skip, and
// say so.
package s3store
