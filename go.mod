module github.com/seed07a61904/leadership

go 1.21

require (
	github.com/juju/errors v1.0.0
	github.com/juju/testing v1.0.2
	github.com/xdg-go/scram v1.1.2
	github.com/xdg-go/stringprep v1.0.4
	golang.org/x/net v0.0.0-20220722155237-a158d28d115b
	gopkg.in/check.v1 v1.0.0-20201130134442-10cb98267c6c
	gopkg.in/mgo.v2 v2.0.0-20190816093944-a6b53ec6cb22
	gopkg.in/tomb.v1 v1.0.0-20141024135613-dd632973f1e7
)

require (
	github.com/juju/loggo v0.0.0-20210728185423-eebad3a902c4 // indirect
	github.com/kr/pretty v0.2.1 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/xdg-go/pbkdf2 v1.0.0 // indirect
	golang.org/x/text v0.3.8 // indirect
	gopkg.in/tomb.v2 v2.0.0-20161208151619-d5d1b5820637 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
)
